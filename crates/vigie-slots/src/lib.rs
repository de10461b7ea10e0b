//! scratch
#[cfg(test)]
mod t {
    #[test]
    fn jiff_forms() {
        for s in ["2021-04-10T21:45:00.000+02:00", "2021-04-20T16:55:00.000000+0200", "2021-08-11T08:15:00Z", "2021-05-26T12:55:00.000Z", "2021-04-10T12:00:00+00:00"] {
            println!("{s} -> {:?}", s.parse::<jiff::Timestamp>());
        }
        println!("{:?}", "2021-09-17T10:00:00".parse::<jiff::civil::DateTime>());
        println!("{:?}", "17:15".parse::<jiff::civil::Time>());
        println!("{:?}", "2021-04-10".parse::<jiff::civil::Date>());
        println!("{:?}", "2021-04-10".parse::<jiff::civil::DateTime>());
        println!("{:?}", "2021-04-10T21:45:00.000+02:00".parse::<jiff::civil::DateTime>());
        let tz = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        let z = "2021-08-11T08:15:00Z".parse::<jiff::Timestamp>().unwrap().to_zoned(tz.clone());
        println!("{z} {} {}", z.date(), z.offset());
        println!("{}", z.strftime("%Y-%m-%dT%H:%M:%S%:z"));
    }
}
