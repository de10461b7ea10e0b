//! Scratch: a demo release into argv[1] (sources in argv[1]-sources).
#![allow(clippy::unwrap_used, clippy::expect_used)]
use vigie_build::charts::{ChartFormats, PngScope};
fn main() {
    let out = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let src = out.with_extension("sources");
    std::fs::create_dir_all(&src).unwrap();
    for (name, bytes) in vigie_demo::sources(vigie_core::Date::from_ymd(2022, 2, 28).unwrap(), 181)
    {
        std::fs::write(src.join(name), bytes).unwrap();
    }
    let opts = vigie_build::BuildOptions {
        sources: src,
        out,
        catalogs: Vec::new(),
        built_at: "2026-11-29T06:00:00Z".into(),
        charts: ChartFormats {
            svg: false,
            png: PngScope::None,
        },
        coverage_target: 90.0,
    };
    let r = vigie_build::build(&opts).unwrap();
    println!("{:?}", r.timings);
}
