//! Small macros shared by the unsafe layers.

/// Calls a libc function and turns a `-1` return into `io::Error::last_os_error()`.
///
/// The call itself is `unsafe`: every use site carries its own `// SAFETY:` comment.
macro_rules! syscall {
    ($fn:ident ( $($arg:expr),* $(,)? )) => {{
        #[allow(clippy::undocumented_unsafe_blocks)]
        // SAFETY: the caller of the macro documents why the arguments are valid.
        let res = unsafe { libc::$fn($($arg),*) };
        if res == -1 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(res)
        }
    }};
}
