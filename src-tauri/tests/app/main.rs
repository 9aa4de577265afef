//! The app's commands on real study files through Tauri's mock runtime: one test binary (the
//! app links Tauri), one module per command group.

mod common;
mod dashboard;
mod encryption;
mod inbox;
mod lead;
mod rating;
mod session;
