//! The accept loop: HTTP/1.1 through hyper, with what `axum::serve` lacks against slow or
//! hoarding clients — a deadline for the request head, one for the body, one for a
//! connection on which nothing moves, and a cap on open connections.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::{Bytes, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::Watcher;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

/// How long a connection arriving at a full server waits for a place before it is turned
/// away: long enough to ride out a burst, short enough to hold few sockets meanwhile.
const FULL_WAIT: Duration = Duration::from_millis(500);

/// The slowest body accepted: each 16 KiB received earns one more second (about 128 kbit/s,
/// a weak mobile line).
const MIN_BODY_BYTES_PER_SEC: f64 = 16.0 * 1024.0;

/// Sent, without reading the request, to a connection that found no place.
const FULL_RESPONSE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";

#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub header_read: Duration,
    pub body_read: Duration,
    pub idle: Duration,
    pub max_connections: usize,
}

impl Limits {
    pub fn of(c: &crate::Config) -> Self {
        Self {
            header_read: c.header_read_timeout,
            body_read: c.body_read_timeout,
            idle: c.idle_timeout,
            max_connections: c.max_connections.max(1),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then waits for the connections
/// still open to finish their requests (the timeouts above bound that wait).
pub(crate) async fn run(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let places = Arc::new(Semaphore::new(limits.max_connections));
    // Newcomers waiting for a place, each on its own so that one does not hold up the
    // next; as many as there are places, beyond that they are turned away at once.
    let waiting = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .keep_alive(true);
    let served = Arc::new(Served { app, http, limits });
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    // Out of file descriptors and the like: pause instead of spinning.
                    tracing::error!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
        };
        let watcher = graceful.watcher();
        if let Ok(place) = places.clone().try_acquire_owned() {
            tokio::spawn(served.clone().connection(stream, peer, place, watcher));
        } else if let Ok(wait) = waiting.clone().try_acquire_owned() {
            let (places, served) = (places.clone(), served.clone());
            tokio::spawn(async move {
                let place = tokio::time::timeout(FULL_WAIT, places.acquire_owned()).await;
                drop(wait);
                match place {
                    Ok(Ok(place)) => served.connection(stream, peer, place, watcher).await,
                    _ => turn_away(&stream, peer),
                }
            });
        } else {
            turn_away(&stream, peer);
        }
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

fn turn_away(stream: &TcpStream, peer: SocketAddr) {
    tracing::warn!(%peer, "connection refused: the server is full");
    // Best effort: the socket is fresh, so its send buffer has room.
    let _ = stream.try_write(FULL_RESPONSE);
}

/// What each connection is served with.
struct Served {
    app: Router,
    http: hyper::server::conn::http1::Builder,
    limits: Limits,
}

impl Served {
    /// Serves one connection while it holds `place`, closing it when nothing has moved on
    /// it for the idle timeout.
    async fn connection(
        self: Arc<Self>,
        stream: TcpStream,
        peer: SocketAddr,
        place: OwnedSemaphorePermit,
        watcher: Watcher,
    ) {
        let _place = place;
        let _ = stream.set_nodelay(true);
        let activity = Activity::new();
        let io = TokioIo::new(Tracked {
            inner: stream,
            activity: activity.clone(),
        });
        let app = self.app.clone();
        let body_read = self.limits.body_read;
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let mut req = req.map(|b| axum::body::Body::new(DeadlineBody::new(b, body_read)));
            // Handlers read the client's address as axum's `ConnectInfo`.
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req)
        });
        let conn = watcher.watch(self.http.serve_connection(io, service));
        tokio::pin!(conn);
        let idle = self.limits.idle;
        loop {
            let quiet = activity.quiet_for();
            if quiet >= idle {
                // Dropping the connection closes the socket.
                tracing::debug!(%peer, "connection closed: idle");
                return;
            }
            tokio::select! {
                done = &mut conn => {
                    if let Err(e) = done {
                        tracing::debug!(%peer, error = %e, "connection ended");
                    }
                    return;
                }
                () = tokio::time::sleep(idle - quiet) => {}
            }
        }
    }
}

fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        e.kind(),
        K::ConnectionRefused | K::ConnectionAborted | K::ConnectionReset
    )
}

/// When bytes last moved on a connection.
#[derive(Clone)]
struct Activity {
    start: Instant,
    last_ms: Arc<AtomicU64>,
}

impl Activity {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            last_ms: Arc::default(),
        }
    }
    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }
    fn quiet_for(&self) -> Duration {
        let last = self.start + Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        Instant::now().saturating_duration_since(last)
    }
}

/// The socket, noting each read or write that moves bytes.
struct Tracked {
    inner: TcpStream,
    activity: Activity,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        r
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The body ran past its deadline.
#[derive(Debug)]
struct BodyTimeout;

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body did not arrive in time")
    }
}

impl std::error::Error for BodyTimeout {}

/// A request body with a deadline counted from the end of the headers, extended as data
/// arrives (see [`MIN_BODY_BYTES_PER_SEC`]).
struct DeadlineBody {
    inner: Incoming,
    deadline: Pin<Box<Sleep>>,
}

impl DeadlineBody {
    fn new(inner: Incoming, timeout: Duration) -> Self {
        Self {
            inner,
            deadline: Box::pin(tokio::time::sleep(timeout)),
        }
    }
}

impl hyper::body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    let earned =
                        Duration::from_secs_f64(data.len() as f64 / MIN_BODY_BYTES_PER_SEC);
                    let later = this.deadline.deadline() + earned;
                    this.deadline.as_mut().reset(later);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                if this.deadline.as_mut().poll(cx).is_ready() {
                    Poll::Ready(Some(Err(BodyTimeout.into())))
                } else {
                    Poll::Pending
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
