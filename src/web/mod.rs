//! The planner workspace: server-rendered pages (maud) over the same use
//! cases as the API (`crate::app`, never SQL here), behind a browser
//! session opened with an API key (`session`). Every page route is listed
//! in `api::endpoints()` with `Access::Page` and the permission the
//! matching API route needs, so a role sees in the browser exactly what
//! it may read over the API.
//!
//! Pages carry a Content-Security-Policy of 'self' only: no inline
//! script or style; the few scripts are static files (`assets`), and the
//! charts are uPlot (vendored, `scripts/vendor_uplot.sh`) or SVG drawn here.

pub mod assets;
pub mod capacity;
pub mod coverage;
pub mod forecast;
pub mod jobs;
pub mod layout;
pub mod login;
pub mod overview;
pub mod replay;
pub mod roster;
pub mod session;
pub mod svg;
pub mod whatif;
