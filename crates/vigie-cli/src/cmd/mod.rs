//! One module per subcommand.

pub mod build;
pub mod contributions;
pub mod fetch;
pub mod publish;
pub mod scan;
pub mod serve;
pub mod status;
