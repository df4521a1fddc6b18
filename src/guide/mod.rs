//! Guides: documentation only, no API. Every example here is compiled (and
//! most are run) as a doc test.
#![forbid(unsafe_code)]

pub mod asyncio;
