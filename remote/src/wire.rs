//! The wire format: a fixed header, then a postcard body. Pure functions, no I/O, so every
//! byte that comes off the network goes through code the property tests drive directly.
//!
//! A request is `[MAGIC, VERSION, kind, fingerprint (8 bytes, little-endian)] ++ body`; a reply
//! is `[MAGIC, VERSION, status] ++ body`. The fingerprint names the message and reply types of
//! the sender's [`RemoteRef`](crate::RemoteRef): a receiver whose actor takes other types
//! refuses the frame before decoding a byte of its body, so a type mismatch is a typed error,
//! never a garbled value.
//!
//! Limits: a frame longer than the node's `max_message` is refused by its length, before any
//! decoding. Decoding reads from the frame's own bytes, through `limit.rs`: nesting is
//! bounded (256 serde levels) and collections reserve nothing a length prefix claims, growing only as
//! their elements decode.

use crate::error::RemoteError;
use crate::limit::{Budget, Limited, MAX_DEPTH};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::any::type_name;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The first byte of every frame.
pub(crate) const MAGIC: u8 = 0xA7;
/// The format's version; a frame of another version is refused.
pub(crate) const VERSION: u8 = 1;
/// Header length of a request.
pub(crate) const REQUEST_HEADER: usize = 11;
/// Header length of a reply.
pub(crate) const REPLY_HEADER: usize = 3;

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A tell: no reply.
    Tell = 0,
    /// An ask: one reply.
    Ask = 1,
    /// Is the actor alive? Answered `Alive` or `Stopped` without touching the actor.
    Probe = 2,
}

/// How a reply went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// The handler's reply follows.
    Ok = 0,
    /// The actor was dead; its `ActorDead` text follows.
    ActorDead = 1,
    /// The handler panicked; the panic's text follows.
    Panicked = 2,
    /// The request was refused before any actor saw it; why follows.
    Rejected = 3,
    /// The actor takes other types; their names follow.
    TypeMismatch = 4,
    /// Probe: alive.
    Alive = 5,
    /// Probe: the exposed actor has stopped.
    Stopped = 6,
}

impl Status {
    fn from_byte(b: u8) -> Option<Status> {
        Some(match b {
            0 => Status::Ok,
            1 => Status::ActorDead,
            2 => Status::Panicked,
            3 => Status::Rejected,
            4 => Status::TypeMismatch,
            5 => Status::Alive,
            6 => Status::Stopped,
            _ => return None,
        })
    }
}

/// The names of the message and reply types, as both ends print them.
pub(crate) fn type_names<M, R>() -> String {
    format!("{} -> {}", type_name::<M>(), type_name::<R>())
}

/// The fingerprint of a message type and its reply type: FNV-1a (64 bits) of their names.
/// Both ends must be built from the same type definitions (the names include the crate path).
pub(crate) fn fingerprint<M, R>() -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in type_names::<M, R>().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Serialises `value` after `header`, refusing a result longer than `max`. A `Serialize`
/// implementation that panics is an error, not a panic.
fn encode_with<T: Serialize>(header: &[u8], value: &T, max: usize) -> Result<Vec<u8>, RemoteError> {
    let mut out = Vec::with_capacity(header.len() + 16);
    out.extend_from_slice(header);
    let encoded = catch_unwind(AssertUnwindSafe(|| postcard::to_extend(value, out)));
    let out = match encoded {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => return Err(RemoteError::Encode(e.to_string())),
        Err(_) => {
            return Err(RemoteError::Encode(format!(
                "`{}`'s Serialize panicked",
                type_name::<T>()
            )))
        }
    };
    if out.len() > max {
        return Err(RemoteError::TooLarge {
            len: out.len(),
            max,
        });
    }
    Ok(out)
}

/// A request frame.
pub(crate) fn encode_request<M: Serialize>(
    kind: Kind,
    fingerprint: u64,
    message: &M,
    max: usize,
) -> Result<Vec<u8>, RemoteError> {
    let mut header = [0u8; REQUEST_HEADER];
    header[0] = MAGIC;
    header[1] = VERSION;
    header[2] = kind as u8;
    header[3..].copy_from_slice(&fingerprint.to_le_bytes());
    encode_with(&header, message, max)
}

/// A probe frame (no body).
pub(crate) fn encode_probe(fingerprint: u64) -> Vec<u8> {
    let mut v = vec![MAGIC, VERSION, Kind::Probe as u8];
    v.extend_from_slice(&fingerprint.to_le_bytes());
    v
}

/// A reply frame carrying a value.
pub(crate) fn encode_reply_ok<R: Serialize>(reply: &R, max: usize) -> Result<Vec<u8>, RemoteError> {
    encode_with(&[MAGIC, VERSION, Status::Ok as u8], reply, max)
}

/// A reply frame carrying a status and a text (truncated to fit `max`, at a char boundary).
pub(crate) fn encode_reply_text(status: Status, text: &str, max: usize) -> Vec<u8> {
    let mut end = text.len().min(max.saturating_sub(REPLY_HEADER));
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut v = Vec::with_capacity(REPLY_HEADER + end);
    v.extend_from_slice(&[MAGIC, VERSION, status as u8]);
    v.extend_from_slice(&text.as_bytes()[..end]);
    v
}

/// A request's header, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RequestHeader {
    pub(crate) kind: Kind,
    pub(crate) fingerprint: u64,
}

/// Checks a request's length, magic, version and kind.
pub(crate) fn request_header(frame: &[u8], max: usize) -> Result<RequestHeader, RemoteError> {
    if frame.len() > max {
        return Err(RemoteError::TooLarge {
            len: frame.len(),
            max,
        });
    }
    if frame.len() < REQUEST_HEADER {
        return Err(RemoteError::Malformed(format!(
            "a frame of {} bytes is too short",
            frame.len()
        )));
    }
    if frame[0] != MAGIC {
        return Err(RemoteError::Malformed("not a pykka-remote frame".into()));
    }
    if frame[1] != VERSION {
        return Err(RemoteError::Malformed(format!(
            "wire version {} (this end speaks {VERSION})",
            frame[1]
        )));
    }
    let kind = match frame[2] {
        0 => Kind::Tell,
        1 => Kind::Ask,
        2 => Kind::Probe,
        k => return Err(RemoteError::Malformed(format!("unknown frame kind {k}"))),
    };
    let mut fp = [0u8; 8];
    fp.copy_from_slice(&frame[3..REQUEST_HEADER]);
    Ok(RequestHeader {
        kind,
        fingerprint: u64::from_le_bytes(fp),
    })
}

/// Decodes a body as a `T`: every byte must be used; nesting is bounded and length prefixes
/// reserve nothing (`limit.rs`); a `Deserialize` that panics is an error, not a panic.
pub(crate) fn decode_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, RemoteError> {
    // Elements: as many as the body has bytes (each non-empty element takes one at least),
    // plus 2^20 for elements of zero-sized types.
    let budget = Budget::new(MAX_DEPTH, body.len() + (1 << 20));
    let decode = || -> Result<T, postcard::Error> {
        let mut de = postcard::Deserializer::from_bytes(body);
        let value = T::deserialize(Limited {
            inner: &mut de,
            budget: &budget,
        })?;
        let rest = de.finalize()?;
        if rest.is_empty() {
            Ok(value)
        } else {
            Err(postcard::Error::DeserializeBadEncoding)
        }
    };
    match catch_unwind(AssertUnwindSafe(decode)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(_)) if budget.exceeded() => Err(RemoteError::Malformed(format!(
            "not a `{}`: nested more than {} levels deep, or more elements than the frame holds",
            type_name::<T>(),
            budget.max()
        ))),
        Ok(Err(e)) => Err(RemoteError::Malformed(format!(
            "not a `{}`: {e}",
            type_name::<T>()
        ))),
        Err(_) => Err(RemoteError::Malformed(format!(
            "`{}`'s Deserialize panicked",
            type_name::<T>()
        ))),
    }
}

/// Decodes a request frame for an actor taking `M` (fingerprint `expected`): the whole check
/// a receiving node makes.
pub(crate) fn decode_request<M: DeserializeOwned>(
    frame: &[u8],
    expected: u64,
    max: usize,
    names: &dyn Fn() -> String,
) -> Result<(Kind, Option<M>), RemoteError> {
    let header = request_header(frame, max)?;
    if header.fingerprint != expected {
        return Err(RemoteError::TypeMismatch { exposed: names() });
    }
    match header.kind {
        Kind::Probe => Ok((Kind::Probe, None)),
        kind => Ok((kind, Some(decode_body(&frame[REQUEST_HEADER..])?))),
    }
}

/// A reply, decoded.
#[derive(Debug)]
pub(crate) enum Reply<R> {
    Ok(R),
    Status(Status, String),
}

/// Decodes a reply frame carrying an `R`.
pub(crate) fn decode_reply<R: DeserializeOwned>(
    frame: &[u8],
    max: usize,
) -> Result<Reply<R>, RemoteError> {
    if frame.len() > max {
        return Err(RemoteError::TooLarge {
            len: frame.len(),
            max,
        });
    }
    if frame.len() < REPLY_HEADER || frame[0] != MAGIC || frame[1] != VERSION {
        return Err(RemoteError::Malformed("not a pykka-remote reply".into()));
    }
    let Some(status) = Status::from_byte(frame[2]) else {
        return Err(RemoteError::Malformed(format!(
            "unknown reply status {}",
            frame[2]
        )));
    };
    let body = &frame[REPLY_HEADER..];
    match status {
        Status::Ok => Ok(Reply::Ok(decode_body(body)?)),
        s => Ok(Reply::Status(s, String::from_utf8_lossy(body).into_owned())),
    }
}

/// A request frame as a [`RemoteRef<M, R>`](crate::RemoteRef) would send it (for the tests:
/// raw injection and property tests).
pub fn request_frame_for_tests<M: Serialize, R>(message: &M) -> Vec<u8> {
    encode_request(Kind::Ask, fingerprint::<M, R>(), message, usize::MAX).expect("encodes")
}

/// `decode_request` for an actor taking `M` and answering `R` (for the property tests).
pub fn decode_request_for_tests<M: DeserializeOwned, R>(
    frame: &[u8],
    max: usize,
) -> Result<Option<M>, RemoteError> {
    decode_request::<M>(frame, fingerprint::<M, R>(), max, &type_names::<M, R>).map(|(_, m)| m)
}

/// `decode_reply`, its value or status text (for the property tests).
pub fn decode_reply_for_tests<R: DeserializeOwned>(
    frame: &[u8],
    max: usize,
) -> Result<Result<R, String>, RemoteError> {
    decode_reply::<R>(frame, max).map(|r| match r {
        Reply::Ok(v) => Ok(v),
        Reply::Status(s, t) => Err(format!("{s:?}: {t}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_round_trips() {
        let fp = fingerprint::<String, u32>();
        let f = encode_request(Kind::Ask, fp, &"hi".to_owned(), 1024).unwrap();
        let (kind, m) = decode_request::<String>(&f, fp, 1024, &|| String::new()).unwrap();
        assert_eq!((kind, m.as_deref()), (Kind::Ask, Some("hi")));
    }

    #[test]
    fn another_fingerprint_is_a_type_mismatch_before_decoding() {
        let f = encode_request(Kind::Tell, fingerprint::<u8, ()>(), &7u8, 1024).unwrap();
        let e = decode_request::<String>(
            &f,
            fingerprint::<String, ()>(),
            1024,
            &type_names::<String, ()>,
        )
        .unwrap_err();
        assert!(
            matches!(e, RemoteError::TypeMismatch { ref exposed } if exposed.contains("String")),
            "{e}"
        );
    }

    #[test]
    fn a_frame_over_the_limit_is_refused_by_its_length() {
        let big = vec![0u8; 100];
        assert!(matches!(
            encode_request(Kind::Tell, 1, &big, 50),
            Err(RemoteError::TooLarge { max: 50, .. })
        ));
        let f = encode_request(Kind::Tell, 1, &big, 1000).unwrap();
        assert!(matches!(
            request_header(&f, 50),
            Err(RemoteError::TooLarge { .. })
        ));
    }

    #[test]
    fn trailing_bytes_are_malformed() {
        let mut f = encode_request(Kind::Tell, 1, &5u32, 100).unwrap();
        f.push(0);
        assert!(matches!(
            decode_request::<u32>(&f, 1, 100, &String::new),
            Err(RemoteError::Malformed(_))
        ));
    }

    #[test]
    fn a_reply_text_is_cut_to_the_limit_at_a_char_boundary() {
        let f = encode_reply_text(Status::Panicked, "ééé", 6);
        assert_eq!(f.len(), 5);
        match decode_reply::<()>(&f, 6).unwrap() {
            Reply::Status(Status::Panicked, t) => assert_eq!(t, "é"),
            r => panic!("{r:?}"),
        }
    }
}
