//! The picture of `/bounce stats`: cases per week as stacked bars, one colour
//! per reason (the four most common, then the rest together), as a PNG.
//! Labels are reason machine names and dates, in DejaVu Sans (shipped in
//! `assets/fonts/`, Bitstream Vera licence) so no system font is needed.

use plotters::prelude::*;
use std::sync::OnceLock;

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const WIDTH: u32 = 800;
const HEIGHT: u32 = 400;
const COLOURS: [RGBColor; 5] = [
    RGBColor(230, 126, 34),
    RGBColor(52, 152, 219),
    RGBColor(46, 204, 113),
    RGBColor(155, 89, 182),
    RGBColor(149, 165, 166),
];

fn font_ready() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    *READY.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT).is_ok()
    })
}

/// `YYYY-MM-DD` of a unix time (UTC), without a date library.
fn date(secs: i64) -> String {
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The chart for (week start, reason, count) rows, or None when there is
/// nothing to draw or drawing fails.
pub fn weekly_png(weekly: &[(i64, String, u64)]) -> Option<Vec<u8>> {
    if weekly.is_empty() || !font_ready() {
        return None;
    }
    let mut weeks: Vec<i64> = weekly.iter().map(|(w, _, _)| *w).collect();
    weeks.sort_unstable();
    weeks.dedup();
    let weeks: Vec<i64> = weeks.into_iter().rev().take(12).rev().collect();
    let mut totals: Vec<(String, u64)> = Vec::new();
    for (_, reason, n) in weekly {
        match totals.iter_mut().find(|(r, _)| r == reason) {
            Some((_, t)) => *t += n,
            None => totals.push((reason.clone(), *n)),
        }
    }
    totals.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut series: Vec<String> = totals.iter().take(4).map(|(r, _)| r.clone()).collect();
    if totals.len() > 4 {
        series.push("other".into());
    }
    let slot = |reason: &str| {
        series
            .iter()
            .position(|s| s == reason)
            .unwrap_or(series.len() - 1)
    };
    // counts[week][series]
    let mut counts = vec![vec![0u64; series.len()]; weeks.len()];
    for (w, reason, n) in weekly {
        if let Some(i) = weeks.iter().position(|x| x == w) {
            counts[i][slot(reason)] += n;
        }
    }
    let max = counts
        .iter()
        .map(|c| c.iter().sum::<u64>())
        .max()
        .unwrap_or(1)
        .max(1);

    let mut buffer = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(40)
            .build_cartesian_2d(0f64..weeks.len() as f64, 0f64..(max as f64 * 1.15))
            .ok()?;
        let labels = weeks.clone();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(weeks.len().max(1))
            .x_label_formatter(&|x| {
                labels
                    .get(x.floor() as usize)
                    .map(|w| date(*w)[5..].to_string())
                    .unwrap_or_default()
            })
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw()
            .ok()?;
        for (s, name) in series.iter().enumerate() {
            let colour = COLOURS[s % COLOURS.len()];
            let bars = counts
                .iter()
                .enumerate()
                .filter(|(_, c)| c[s] > 0)
                .map(|(i, c)| {
                    let below: u64 = c[..s].iter().sum();
                    Rectangle::new(
                        [
                            (i as f64 + 0.15, below as f64),
                            (i as f64 + 0.85, (below + c[s]) as f64),
                        ],
                        colour.filled(),
                    )
                });
            chart
                .draw_series(bars)
                .ok()?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled())
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .ok()?;
        root.present().ok()?;
    }
    let image = image::RgbImage::from_raw(WIDTH, HEIGHT, buffer)?;
    let mut png = std::io::Cursor::new(Vec::new());
    image.write_to(&mut png, image::ImageFormat::Png).ok()?;
    Some(png.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_764_288_000), "2025-11-28");
    }

    #[test]
    fn a_chart_is_a_png_with_bars() {
        let week = 604_800;
        let rows = vec![
            (10 * week, "userunknown".to_string(), 5),
            (10 * week, "mailboxfull".to_string(), 2),
            (11 * week, "userunknown".to_string(), 3),
            (11 * week, "blocked".to_string(), 1),
            (11 * week, "expired".to_string(), 1),
            (11 * week, "suspend".to_string(), 1),
        ];
        let png = weekly_png(&rows).expect("a chart");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let decoded = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!(decoded.dimensions(), (WIDTH, HEIGHT));
        // The first series' colour appears: the bars were drawn.
        assert!(decoded.pixels().any(|p| p.0 == [230, 126, 34]));
        assert!(weekly_png(&[]).is_none());
        if let Ok(path) = std::env::var("BOUNCEDESK_CHART_OUT") {
            std::fs::write(path, &png).unwrap();
        }
    }
}
