//! The fault points of `tests/faults.rs`: every op-backed public method,
//! each a [`Case`] with the state it works on ([`Fixture`]).

use futures::future::LocalBoxFuture;
use futures::StreamExt;
use ringio::buf::FixedBufPool;
use ringio::fs::File;
use ringio::net::{TcpListener, TcpStream, UdpSocket, UnixListener, UnixStream};
use ringio::Cancellable;
use std::cell::RefCell;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// A deadline no case may reach: a timed call that fails must end on its
/// error, long before its timer.
pub const LONG: Duration = Duration::from_secs(30);

/// What the cases work on.
pub struct Fixture {
    dir: tempfile::TempDir,
    file: File,
    listener: TcpListener,
    addr: SocketAddr,
    /// A connected pair: `ours` is read from and written to, `theirs` is the
    /// peer (a std socket, outside the ring).
    ours: TcpStream,
    theirs: std::net::TcpStream,
    udp: UdpSocket,
    udp_peer: std::net::UdpSocket,
    /// Registered buffers for the fixed-buffer reads and writes.
    pool: FixedBufPool,
    /// A child to wait for, between a failed wait and its retry.
    child: RefCell<Option<ringio::process::Child>>,
}

impl Fixture {
    pub async fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("data"), b"hello, faults").unwrap();
        let file = ringio::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(dir.path().join("data"))
            .await
            .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let theirs = std::net::TcpStream::connect(addr).unwrap();
        let (ours, _) = listener.accept().await.unwrap();
        theirs
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let udp_peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        udp_peer
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Fixture {
            dir,
            file,
            listener,
            addr,
            ours,
            theirs,
            udp,
            udp_peer,
            pool: FixedBufPool::new(2, 4096).unwrap(),
            child: RefCell::new(None),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Puts `bytes` on `ours`'s receive side.
    fn send_to_ours(&self, bytes: &[u8]) {
        use std::io::Write;
        (&self.theirs).write_all(bytes).unwrap();
    }

    /// Takes `n` bytes that `ours` sent.
    fn take_from_ours(&self, n: usize) -> Vec<u8> {
        use std::io::Read;
        let mut buf = vec![0; n];
        (&self.theirs).read_exact(&mut buf).unwrap();
        buf
    }
}

/// One op-backed call: its name, a preparation run before the fault is
/// armed, and the call itself (which must push its operation first).
pub struct Case {
    pub name: &'static str,
    pub prepare: fn(&Fixture),
    pub call: for<'a> fn(&'a Fixture) -> LocalBoxFuture<'a, io::Result<()>>,
}

fn nothing(_: &Fixture) {}

/// A registered buffer of the fixture's pool (never exhausted: a case
/// holds one at a time, and it returns on drop).
fn fixed(f: &Fixture) -> ringio::buf::FixedBuf {
    f.pool.try_get().expect("a free registered buffer")
}

fn ok_if(cond: bool, what: &str) -> io::Result<()> {
    if cond {
        Ok(())
    } else {
        Err(io::Error::other(format!("wrong result: {what}")))
    }
}

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "nop",
            prepare: nothing,
            call: |_| Box::pin(ringio::nop()),
        },
        Case {
            name: "File::open",
            prepare: nothing,
            call: |f| Box::pin(async move { File::open(f.path("data")).await.map(drop) }),
        },
        Case {
            name: "File::create",
            prepare: nothing,
            call: |f| Box::pin(async move { File::create(f.path("new")).await.map(drop) }),
        },
        Case {
            name: "File::read_at",
            prepare: nothing,
            call: |f| {
                Box::pin(async move {
                    let (n, buf) = f.file.read_at(Vec::with_capacity(5), 0).await;
                    ok_if(n? == 5 && buf == b"hello", "read_at")
                })
            },
        },
        Case {
            name: "File::write_at",
            prepare: nothing,
            call: |f| {
                Box::pin(async move {
                    let (n, _) = f.file.write_at(b"HELLO".to_vec(), 0).await;
                    ok_if(n? == 5, "write_at")
                })
            },
        },
        Case {
            name: "File::read_fixed_at",
            prepare: nothing,
            call: |f| {
                Box::pin(async move {
                    let (n, buf) = f.file.read_fixed_at(fixed(f), 0).await;
                    ok_if(
                        n? == 13 && buf[..5].eq_ignore_ascii_case(b"hello"),
                        "read_fixed_at",
                    )
                })
            },
        },
        Case {
            name: "File::write_fixed_at",
            prepare: nothing,
            call: |f| {
                Box::pin(async move {
                    let mut buf = fixed(f);
                    buf.extend_from_slice(b"hello");
                    let (n, _) = f.file.write_fixed_at(buf, 0).await;
                    ok_if(n? == 5, "write_fixed_at")
                })
            },
        },
        Case {
            name: "File::fallocate",
            prepare: nothing,
            call: |f| Box::pin(f.file.fallocate(0, 13, 0)),
        },
        Case {
            name: "File::close",
            prepare: nothing,
            call: |f| {
                Box::pin(async move {
                    let std_file = std::fs::File::open(f.path("data"))?;
                    File::from_std(std_file).close().await
                })
            },
        },
        Case {
            name: "fs::read",
            prepare: nothing,
            call: |f| {
                Box::pin(async move {
                    let bytes = ringio::fs::read(f.path("data")).await?;
                    ok_if(bytes == b"hello, faults", "fs::read")
                })
            },
        },
        Case {
            name: "fs::write",
            prepare: nothing,
            call: |f| Box::pin(ringio::fs::write(f.path("written"), b"x".to_vec())),
        },
        Case {
            name: "File::sync_all",
            prepare: nothing,
            call: |f| Box::pin(f.file.sync_all()),
        },
        Case {
            name: "File::sync_data",
            prepare: nothing,
            call: |f| Box::pin(f.file.sync_data()),
        },
        Case {
            name: "File::metadata",
            prepare: nothing,
            call: |f| Box::pin(async move { ok_if(f.file.metadata().await?.len() == 13, "len") }),
        },
        Case {
            name: "File::set_len",
            prepare: nothing,
            call: |f| Box::pin(f.file.set_len(13)),
        },
        Case {
            name: "fs::metadata",
            prepare: nothing,
            call: |f| Box::pin(async move { ringio::fs::metadata(f.path("data")).await.map(drop) }),
        },
        Case {
            name: "fs::remove_file",
            prepare: |f| std::fs::write(f.path("doomed"), b"x").unwrap(),
            call: |f| Box::pin(ringio::fs::remove_file(f.path("doomed"))),
        },
        Case {
            name: "fs::rename",
            prepare: |f| std::fs::write(f.path("from"), b"x").unwrap(),
            call: |f| Box::pin(ringio::fs::rename(f.path("from"), f.path("to"))),
        },
        Case {
            name: "fs::create_dir",
            prepare: |f| {
                let _ = std::fs::remove_dir(f.path("sub"));
            },
            call: |f| Box::pin(ringio::fs::create_dir(f.path("sub"))),
        },
        Case {
            name: "fs::symlink",
            prepare: |f| {
                let _ = std::fs::remove_file(f.path("link"));
            },
            call: |f| Box::pin(ringio::fs::symlink(f.path("data"), f.path("link"))),
        },
        Case {
            name: "fs::hard_link",
            prepare: |f| {
                let _ = std::fs::remove_file(f.path("hard"));
            },
            call: |f| Box::pin(ringio::fs::hard_link(f.path("data"), f.path("hard"))),
        },
        Case {
            name: "fs::symlink_metadata",
            prepare: |f| {
                let _ = std::os::unix::fs::symlink(f.path("data"), f.path("soft"));
            },
            call: |f| {
                Box::pin(async move {
                    let meta = ringio::fs::symlink_metadata(f.path("soft")).await?;
                    ok_if(meta.file_type().is_symlink(), "symlink_metadata")
                })
            },
        },
        Case {
            name: "fs::remove_dir",
            prepare: |f| {
                let _ = std::fs::create_dir(f.path("empty"));
            },
            call: |f| Box::pin(ringio::fs::remove_dir(f.path("empty"))),
        },
        Case {
            name: "io::splice (file to pipe)",
            prepare: nothing,
            call: |f| {
                Box::pin(async move {
                    let (_reader, writer) = std::io::pipe()?;
                    let n = ringio::io::splice(&f.file, Some(0), &writer, None, 5).await?;
                    ok_if(n == 5, "splice")
                })
            },
        },
        Case {
            name: "TcpListener::accept",
            prepare: |f| drop(std::net::TcpStream::connect(f.addr).unwrap()),
            call: |f| Box::pin(async move { f.listener.accept().await.map(drop) }),
        },
        Case {
            name: "TcpListener::incoming (multishot accept)",
            prepare: |f| drop(std::net::TcpStream::connect(f.addr).unwrap()),
            call: |f| {
                Box::pin(async move {
                    let mut incoming = f.listener.incoming();
                    match incoming.next().await {
                        Some(stream) => stream.map(drop),
                        None => Err(io::Error::other("incoming ended")),
                    }
                })
            },
        },
        Case {
            name: "TcpStream::connect",
            prepare: nothing,
            call: |f| Box::pin(async move { TcpStream::connect(f.addr).await.map(drop) }),
        },
        Case {
            name: "TcpStream::read",
            prepare: |f| f.send_to_ours(b"ping"),
            call: |f| {
                Box::pin(async move {
                    let (n, buf) = f.ours.read(Vec::with_capacity(4)).await;
                    ok_if(n? == 4 && buf == b"ping", "read")
                })
            },
        },
        Case {
            name: "time::timeout(TcpStream::read)",
            prepare: |f| f.send_to_ours(b"ping"),
            call: |f| {
                Box::pin(async move {
                    let read = f.ours.read(Vec::with_capacity(4));
                    let (n, buf) = ringio::time::timeout(LONG, read)
                        .await
                        .map_err(|_| io::Error::from(io::ErrorKind::TimedOut))?;
                    ok_if(n? == 4 && buf == b"ping", "timed read")
                })
            },
        },
        Case {
            name: "Cancellable::timeout(TcpStream::read)",
            prepare: |f| f.send_to_ours(b"ping"),
            call: |f| {
                Box::pin(async move {
                    let (n, buf) = f.ours.read(Vec::with_capacity(4)).timeout(LONG).await;
                    ok_if(n? == 4 && buf == b"ping", "cancellable read")
                })
            },
        },
        Case {
            name: "TcpStream::readv",
            prepare: |f| f.send_to_ours(b"ping"),
            call: |f| {
                Box::pin(async move {
                    let bufs = vec![Vec::with_capacity(2), Vec::with_capacity(2)];
                    let (n, bufs) = f.ours.readv(bufs).await;
                    ok_if(n? == 4 && bufs.concat() == b"ping", "readv")
                })
            },
        },
        Case {
            name: "TcpStream::writev",
            prepare: nothing,
            call: |f| {
                Box::pin(async move {
                    let (n, _) = f.ours.writev(vec![b"po".to_vec(), b"ng".to_vec()]).await;
                    ok_if(n? == 4 && f.take_from_ours(4) == b"pong", "writev")
                })
            },
        },
        Case {
            name: "TcpStream::read_fixed",
            prepare: |f| f.send_to_ours(b"ping"),
            call: |f| {
                Box::pin(async move {
                    let (n, buf) = f.ours.read_fixed(fixed(f)).await;
                    ok_if(n? == 4 && buf[..4] == *b"ping", "read_fixed")
                })
            },
        },
        Case {
            name: "TcpStream::write_fixed",
            prepare: nothing,
            call: |f| {
                Box::pin(async move {
                    let mut buf = fixed(f);
                    buf.extend_from_slice(b"pong");
                    let (n, _) = f.ours.write_fixed(buf).await;
                    ok_if(n? == 4 && f.take_from_ours(4) == b"pong", "write_fixed")
                })
            },
        },
        Case {
            name: "TcpStream::shutdown",
            prepare: nothing,
            call: |_| {
                Box::pin(async move {
                    // A connection of its own: shutting `ours` down would end
                    // the cases after this one.
                    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
                    let peer = std::net::TcpStream::connect(listener.local_addr()?)?;
                    let (stream, _) = listener.accept()?;
                    TcpStream::from_std(stream)
                        .shutdown(std::net::Shutdown::Write)
                        .await?;
                    drop(peer);
                    Ok(())
                })
            },
        },
        Case {
            name: "UnixListener::accept",
            prepare: nothing,
            call: |f| {
                Box::pin(async move {
                    let path = f.path("accept.sock");
                    let _ = std::fs::remove_file(&path);
                    let listener = UnixListener::bind(&path)?;
                    let _peer = std::os::unix::net::UnixStream::connect(&path)?;
                    listener.accept().await.map(drop)
                })
            },
        },
        Case {
            name: "UnixStream::connect",
            prepare: nothing,
            call: |f| {
                Box::pin(async move {
                    let path = f.path("connect.sock");
                    let _ = std::fs::remove_file(&path);
                    let _listener = std::os::unix::net::UnixListener::bind(&path)?;
                    UnixStream::connect(&path).await.map(drop)
                })
            },
        },
        Case {
            name: "Child::wait",
            // `cat` reading a pipe: alive until its stdin closes, so the
            // wait's first poll finds it running and pushes the wait.
            prepare: |f| {
                let child = ringio::process::Command::new("cat")
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap();
                *f.child.borrow_mut() = Some(child);
            },
            call: |f| {
                Box::pin(async move {
                    // The same child for the retry: taken out, and put back
                    // if its wait failed.
                    let mut child = f.child.borrow_mut().take().expect("a child");
                    let stdin = child.stdin.take();
                    let res = {
                        let mut wait = std::pin::pin!(child.wait());
                        let first = futures::poll!(wait.as_mut());
                        // Pushed: now the child may exit.
                        drop(stdin);
                        match first {
                            std::task::Poll::Ready(res) => res,
                            std::task::Poll::Pending => wait.await,
                        }
                    };
                    if res.is_err() {
                        *f.child.borrow_mut() = Some(child);
                    }
                    ok_if(res?.success(), "wait")
                })
            },
        },
        Case {
            name: "UdpSocket::connect",
            prepare: nothing,
            call: |f| {
                Box::pin(async move {
                    let socket = UdpSocket::bind("127.0.0.1:0")?;
                    socket.connect(f.udp_peer.local_addr()?).await
                })
            },
        },
        Case {
            name: "TcpStream::recv_multishot",
            prepare: |f| f.send_to_ours(b"ping"),
            call: |f| {
                Box::pin(async move {
                    let mut chunks = f.ours.recv_multishot();
                    let chunk = chunks
                        .next()
                        .await
                        .ok_or_else(|| io::Error::other("ended"))??;
                    ok_if(&chunk[..] == b"ping", "recv_multishot")
                })
            },
        },
        Case {
            name: "TcpStream::write_all",
            prepare: nothing,
            call: |f| {
                Box::pin(async move {
                    let (res, _) = f.ours.write_all(b"pong".to_vec()).await;
                    res?;
                    ok_if(f.take_from_ours(4) == b"pong", "write_all")
                })
            },
        },
        Case {
            name: "TcpStream::send_zc",
            prepare: nothing,
            call: |f| {
                Box::pin(async move {
                    let (n, _) = f.ours.send_zc(b"zero".to_vec()).await;
                    ok_if(n? == 4 && f.take_from_ours(4) == b"zero", "send_zc")
                })
            },
        },
        Case {
            name: "TcpStream::send_file",
            prepare: nothing,
            call: |f| {
                Box::pin(async move {
                    let n = f.ours.send_file(&f.file, 0, 5).await?;
                    ok_if(n == 5 && f.take_from_ours(5).len() == 5, "send_file")
                })
            },
        },
        Case {
            name: "UdpSocket::send_to",
            prepare: nothing,
            call: |f| {
                Box::pin(async move {
                    let peer = f.udp_peer.local_addr().unwrap();
                    let (n, _) = f.udp.send_to(b"dgram".to_vec(), peer).await;
                    n?;
                    let mut buf = [0u8; 16];
                    let (got, _) = f.udp_peer.recv_from(&mut buf).unwrap();
                    ok_if(&buf[..got] == b"dgram", "send_to")
                })
            },
        },
        Case {
            name: "UdpSocket::recv_from",
            prepare: |f| {
                let ours = f.udp.local_addr().unwrap();
                f.udp_peer.send_to(b"dgram", ours).unwrap();
            },
            call: |f| {
                Box::pin(async move {
                    let (res, buf) = f.udp.recv_from(Vec::with_capacity(16)).await;
                    ok_if(res?.0 == 5 && buf == b"dgram", "recv_from")
                })
            },
        },
    ]
}
