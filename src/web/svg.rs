//! Small helpers for the server-drawn SVG charts (coverage, Gantt,
//! capacity): numbers with one decimal, no style attributes (the page's
//! CSP allows no inline style; classes and presentation attributes only).

use maud::{html, Markup};

/// A coordinate with one decimal: enough for a screen, short in the page.
pub fn c(x: f64) -> String {
    format!("{:.1}", x)
}

/// Horizontal grid lines with labels at `steps` values from 0 to `max`.
pub fn y_axis(max: f64, steps: usize, left: f64, right: f64, top: f64, bottom: f64) -> Markup {
    let h = bottom - top;
    html! {
        @for i in 0..=steps {
            @let v = max * i as f64 / steps as f64;
            @let y = bottom - h * i as f64 / steps as f64;
            line.grid x1=(c(left)) x2=(c(right)) y1=(c(y)) y2=(c(y)) {}
            text x=(c(left - 4.0)) y=(c(y + 4.0)) text-anchor="end" { (format!("{v:.0}")) }
        }
    }
}

/// A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten.
pub fn nice_max(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|m| *m >= x)
        .unwrap_or(10.0 * p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_bounds_are_round() {
        assert_eq!(nice_max(37.0), 50.0);
        assert_eq!(nice_max(100.0), 100.0);
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(1.2), 2.0);
    }
}
