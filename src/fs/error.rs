//! Errors that name the paths they are about.

use std::fmt;
use std::io;
use std::path::Path;

/// An error of an operation on a path: the message names both, and
/// [`source`](std::error::Error::source) is the original error (with its
/// `raw_os_error`).
#[derive(Debug)]
struct PathError {
    /// What failed, paths included: "cannot open `a.txt`".
    context: String,
    source: io::Error,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.context, self.source)
    }
}

impl std::error::Error for PathError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

fn wrap(source: io::Error, context: String) -> io::Error {
    io::Error::new(source.kind(), PathError { context, source })
}

/// `err`, of the same kind, with a message like "cannot open `a.txt`: No
/// such file or directory (os error 2)" from `what` = "cannot open".
pub(crate) fn with_path(err: io::Error, what: &str, path: &Path) -> io::Error {
    wrap(err, format!("{what} `{}`", path.display()))
}

/// As [`with_path`] for two paths: "cannot copy `a` to `b`: ..." from
/// `what` = "cannot copy" and `join` = "to".
pub(crate) fn with_paths(
    err: io::Error,
    what: &str,
    from: &Path,
    join: &str,
    to: &Path,
) -> io::Error {
    wrap(
        err,
        format!("{what} `{}` {join} `{}`", from.display(), to.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_path_and_keeps_kind_and_source() {
        let err = with_path(
            io::Error::from_raw_os_error(libc::ENOENT),
            "cannot read directory",
            Path::new("/no/such"),
        );
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        let text = err.to_string();
        assert!(
            text.starts_with("cannot read directory `/no/such`: "),
            "{text}"
        );
        let source = err.get_ref().unwrap().source().unwrap();
        let os = source.downcast_ref::<io::Error>().unwrap();
        assert_eq!(os.raw_os_error(), Some(libc::ENOENT));
    }

    #[test]
    fn two_paths() {
        let err = with_paths(
            io::Error::from_raw_os_error(libc::EEXIST),
            "cannot copy",
            Path::new("a"),
            "to",
            Path::new("b"),
        );
        assert!(
            err.to_string().starts_with("cannot copy `a` to `b`: "),
            "{err}"
        );
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
    }
}
