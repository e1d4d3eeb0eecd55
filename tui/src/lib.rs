//! `imchat-tui`, the terminal chat client, as a library: one [`app::App`] state changed only
//! by [`app::App::update`] (events in, effects out), [`ui`] render functions, [`net`] running
//! effects with the SDK, [`keymap`] bindings as data, [`notify`] the bell, desktop
//! notifications and title, [`files`] paths and downloads on this machine, [`local`] the account's chats kept
//! between runs, and [`term`], the
//! one owner of the terminal. Network results arrive on the same channel as key presses.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod event;
pub mod files;
pub mod i18n;
pub mod input;
pub mod keymap;
pub mod local;
pub mod net;
pub mod notify;
pub mod term;
pub mod ui;
