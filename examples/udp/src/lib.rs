//! `udp_drv`: a UDP socket as a port. The VM polls the socket for the driver
//! (`select_owned`), and every datagram that arrives goes to the port owner as the message
//! `gen_udp` sends in active mode, with the port in place of the socket:
//!
//! ```erlang
//! {udp, Port, Ip, InPortNo, Packet}
//! ```
//!
//! - `open_port({spawn_driver, "udp_drv 127.0.0.1:0"}, [binary])` binds the local address
//!   given (IPv4 `A.B.C.D:P` or IPv6 `[..]:P`; `127.0.0.1:0` when left out); port 0 picks
//!   a free one.
//! - `erlang:port_call(Port, 0, {send, Ip, PortNo, Packet})` → `ok` or `{error, Reason}`.
//! - `erlang:port_call(Port, 0, sockname)` → `{ok, {Ip, PortNo}}`.
//! - `port_close(Port)` closes the socket, once the VM has stopped polling it.
//!
//! `erlang/udp_port.erl` is the client.
#![forbid(unsafe_code)]

use std::io::{self, ErrorKind};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::Arc;

use erldrv::term::{Atom, FromTerm, ToTerm};
use erldrv::{CallError, Driver, Event, Port, SelectMode, StartError, erl_driver};

/// Where a port binds when `open_port` gives no address.
const DEFAULT_ADDR: &str = "127.0.0.1:0";

/// The largest UDP payload (IPv4: 65535 less the IP and UDP headers).
const MAX_DATAGRAM: usize = 65507;

/// Datagrams read per `ready_input`: a flood must not hold the scheduler. The VM calls
/// again while more are waiting.
const BURST: usize = 64;

static UDP: Atom = Atom::new("udp");
static UDP_ERROR: Atom = Atom::new("udp_error");

/// One port: its socket, shared with the framework, which keeps it open while the VM polls
/// it, and a receive buffer reused for every datagram.
pub struct Udp {
    sock: Arc<UdpSocket>,
    buf: Box<[u8]>,
}

/// An address as `inet` writes it: `{127, 0, 0, 1}` or a tuple of eight 16-bit groups.
#[derive(ToTerm, FromTerm, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ip {
    #[term(transparent)]
    V4((u8, u8, u8, u8)),
    #[term(transparent)]
    V6((u16, u16, u16, u16, u16, u16, u16, u16)),
}

impl From<IpAddr> for Ip {
    fn from(ip: IpAddr) -> Ip {
        match ip {
            IpAddr::V4(ip) => {
                let [a, b, c, d] = ip.octets();
                Ip::V4((a, b, c, d))
            }
            IpAddr::V6(ip) => {
                let [a, b, c, d, e, f, g, h] = ip.segments();
                Ip::V6((a, b, c, d, e, f, g, h))
            }
        }
    }
}

impl From<Ip> for IpAddr {
    fn from(ip: Ip) -> IpAddr {
        match ip {
            Ip::V4((a, b, c, d)) => Ipv4Addr::new(a, b, c, d).into(),
            Ip::V6((a, b, c, d, e, f, g, h)) => Ipv6Addr::new(a, b, c, d, e, f, g, h).into(),
        }
    }
}

/// What `port_call(Port, 0, Request)` asks.
#[derive(FromTerm, Debug)]
pub enum Request<'a> {
    /// `{send, Ip, PortNo, Packet}`.
    Send(Ip, u16, &'a [u8]),
    /// `sockname`.
    Sockname,
}

/// The replies.
#[derive(ToTerm, Debug)]
pub enum Answer {
    /// `ok` or `{error, Reason}`.
    #[term(transparent)]
    Sent(Result<(), Reason>),
    /// `{ok, {Ip, PortNo}}` or `{error, Reason}`.
    #[term(transparent)]
    Sockname(Result<(Ip, u16), Reason>),
}

/// Why a socket call failed: the `inet:posix()` atom for the usual errors, the OS's text
/// for the rest.
#[derive(ToTerm, Debug)]
pub enum Reason {
    #[term(transparent)]
    Posix(&'static Atom),
    #[term(transparent)]
    Text(String),
}

/// The errors a UDP send or receive meets in practice, under their `inet` names.
static POSIX: [(i32, Atom); 10] = [
    (libc::EMSGSIZE, Atom::new("emsgsize")),
    (libc::EAGAIN, Atom::new("eagain")),
    (libc::ECONNREFUSED, Atom::new("econnrefused")),
    (libc::EHOSTUNREACH, Atom::new("ehostunreach")),
    (libc::ENETUNREACH, Atom::new("enetunreach")),
    (libc::EADDRNOTAVAIL, Atom::new("eaddrnotavail")),
    (libc::EAFNOSUPPORT, Atom::new("eafnosupport")),
    (libc::EACCES, Atom::new("eacces")),
    (libc::EPERM, Atom::new("eperm")),
    (libc::EINVAL, Atom::new("einval")),
];

impl From<io::Error> for Reason {
    fn from(e: io::Error) -> Reason {
        let code = e.raw_os_error();
        match POSIX.iter().find(|(errno, _)| Some(*errno) == code) {
            Some((_, atom)) => Reason::Posix(atom),
            None => Reason::Text(e.to_string()),
        }
    }
}

fn bind(command: &[u8]) -> Result<UdpSocket, StartError> {
    let args = std::str::from_utf8(command)
        .ok()
        .and_then(|c| c.split_once(' ').map(|(_, args)| args.trim()))
        .unwrap_or(DEFAULT_ADDR);
    let addr: SocketAddr = args.parse().map_err(|_| {
        StartError::refused(format!(
            "udp_drv: expected a local address such as 127.0.0.1:0 or [::1]:4000, got {args:?}"
        ))
    })?;
    // An OS error (eaddrinuse, say) makes open_port/2 fail with its POSIX atom.
    let sock = UdpSocket::bind(addr)?;
    sock.set_nonblocking(true)?;
    Ok(sock)
}

#[erl_driver(port_locking)]
impl Driver for Udp {
    fn start(port: &Port, command: &[u8]) -> Result<Self, StartError> {
        let sock = Arc::new(bind(command)?);
        // The framework keeps a reference until the VM is done with the descriptor, so it
        // cannot be closed (and its number reused) while the VM still polls it.
        if let Err(e) = port.select_owned(sock.clone(), SelectMode::READ) {
            return Err(StartError::refused(format!(
                "udp_drv: the VM refused to poll the socket: {e}"
            )));
        }
        Ok(Udp {
            sock,
            buf: vec![0; MAX_DATAGRAM].into_boxed_slice(),
        })
    }

    fn ready_input(&mut self, port: &Port, event: Event) {
        if !event.is(&self.sock) {
            return;
        }
        for _ in 0..BURST {
            match self.sock.recv_from(&mut self.buf) {
                Ok((n, from)) => {
                    let message = (
                        &UDP,
                        port.id(),
                        Ip::from(from.ip()),
                        from.port(),
                        &self.buf[..n],
                    );
                    // Refused only while the port closes, when nobody would read it anyway.
                    let _ = port.output_term(&message);
                }
                // All read, or a spurious wake-up: wait for the next call.
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                // A pending socket error (an ICMP report, say): reading it cleared it, so
                // the socket stays selected and the next datagram comes as usual.
                Err(e) => {
                    let _ = port.output_term(&(&UDP_ERROR, port.id(), Reason::from(e)));
                    return;
                }
            }
        }
    }

    fn call(
        &mut self,
        _port: &Port,
        command: u32,
        request: Request<'_>,
    ) -> Result<Answer, CallError> {
        if command != 0 {
            return Err(CallError::badarg(format!(
                "udp_drv: unknown command {command}, expected 0"
            )));
        }
        Ok(match request {
            Request::Send(ip, port_no, packet) => {
                let to = SocketAddr::new(ip.into(), port_no);
                Answer::Sent(match self.sock.send_to(packet, to) {
                    Ok(_) => Ok(()),
                    Err(e) => Err(e.into()),
                })
            }
            Request::Sockname => Answer::Sockname(
                self.sock
                    .local_addr()
                    .map(|a| (a.ip().into(), a.port()))
                    .map_err(Reason::from),
            ),
        })
    }
}
