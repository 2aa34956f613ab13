//! Compressed terms: `term_to_binary(T, [compressed])`, tag 80.
//!
//! The format is the version byte 131, the tag 80, the size of the uncompressed term as a
//! 4-byte big-endian integer (the version byte not counted), then a zlib stream of the
//! uncompressed term. Inflating needs the `compressed` feature (on by default).

use std::borrow::Cow;

use super::error::{DecodeError, ErrorKind};
use super::tag;

/// The largest uncompressed size [`decompress`] accepts: 64 MiB. A larger announced size
/// is refused before anything is allocated; [`decompress_with_limit`] sets another limit.
pub const MAX_INFLATED: usize = 64 << 20;

/// The term in `bytes` (with the version byte), uncompressed: borrowed as it is when it
/// was not compressed, inflated into a new buffer when it was
/// (`term_to_binary(T, [compressed])`). Either way the result starts with the version byte
/// and reads with [`Decoder::new`](super::Decoder::new) or
/// [`from_slice`](super::from_slice).
///
/// The decoders borrow from their input, so they cannot inflate by themselves: call this
/// first wherever bytes may come compressed (data of `port_command` or `port_control`
/// from a caller that compresses). [`OwnedTerm::from_ext`](super::OwnedTerm::from_ext)
/// and the arguments of [`Driver::call`](crate::Driver::call) inflate already.
///
/// # Errors
/// An announced size above [`MAX_INFLATED`] (nothing is inflated), a zlib stream that is
/// corrupt or cut short, or one that inflates to another size than announced. Without the
/// `compressed` feature, any compressed term is an error that names the feature.
///
/// ```
/// use erldrv::term;
///
/// // term_to_binary(lists:duplicate(100, 7), [compressed])
/// let compressed = [
///     131, 80, 0, 0, 0, 103, 120, 156, 203, 102, 72, 97, 167, 3, 0, 0, 220, 254, 3, 140,
/// ];
/// let bytes = term::decompress(&compressed)?;
/// assert_eq!(term::from_slice::<Vec<u8>>(&bytes)?, vec![7; 100]);
///
/// // Uncompressed bytes are not copied.
/// let plain = term::to_vec(&42);
/// assert!(matches!(term::decompress(&plain)?, std::borrow::Cow::Borrowed(_)));
/// # Ok::<(), term::DecodeError>(())
/// ```
pub fn decompress(bytes: &[u8]) -> Result<Cow<'_, [u8]>, DecodeError> {
    decompress_with_limit(bytes, MAX_INFLATED)
}

/// [`decompress`] with `limit` as the largest uncompressed size accepted.
///
/// # Errors
/// As [`decompress`], with `limit` for [`MAX_INFLATED`].
///
/// ```
/// use erldrv::term::{self, ErrorKind};
///
/// let compressed = [
///     131, 80, 0, 0, 0, 103, 120, 156, 203, 102, 72, 97, 167, 3, 0, 0, 220, 254, 3, 140,
/// ];
/// let e = term::decompress_with_limit(&compressed, 64).unwrap_err();
/// assert!(matches!(e.kind(), ErrorKind::TooLarge { size: 103, limit: 64 }));
/// ```
pub fn decompress_with_limit(bytes: &[u8], limit: usize) -> Result<Cow<'_, [u8]>, DecodeError> {
    match bytes {
        [tag::VERSION, tag::COMPRESSED, rest @ ..] => {
            let Some((size, zlib)) = rest.split_first_chunk::<4>() else {
                return Err(DecodeError::new(ErrorKind::Truncated));
            };
            let size = u32::from_be_bytes(*size) as usize;
            if size > limit {
                return Err(DecodeError::new(ErrorKind::TooLarge { size, limit }));
            }
            inflate(zlib, size).map(Cow::Owned)
        }
        _ => Ok(Cow::Borrowed(bytes)),
    }
}

/// Whether `bytes` hold a compressed term (their second byte is tag 80).
pub(crate) fn is_compressed(bytes: &[u8]) -> bool {
    bytes.get(1) == Some(&tag::COMPRESSED)
}

/// Inflates `zlib` into the version byte and exactly `size` bytes.
#[cfg(feature = "compressed")]
fn inflate(zlib: &[u8], size: usize) -> Result<Vec<u8>, DecodeError> {
    use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_zlib_with_limit};

    // The output grows with what the stream really produces (from twice the input's size),
    // never straight to the announced size: a lying header costs nothing.
    let inflated = decompress_to_vec_zlib_with_limit(zlib, size).map_err(|e| {
        DecodeError::new(ErrorKind::BadCompressed(match e.status {
            TINFLStatus::HasMoreOutput => {
                format!("the term inflates to more than the announced {size} bytes")
            }
            TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
                "the zlib stream is cut short".to_owned()
            }
            TINFLStatus::Adler32Mismatch => "the zlib checksum does not match".to_owned(),
            _ => "the zlib stream is corrupt".to_owned(),
        }))
    })?;
    if inflated.len() != size {
        return Err(DecodeError::new(ErrorKind::BadCompressed(format!(
            "the term inflates to {} bytes, not the announced {size}",
            inflated.len()
        ))));
    }
    let mut out = Vec::with_capacity(size + 1);
    out.push(tag::VERSION);
    out.extend_from_slice(&inflated);
    Ok(out)
}

#[cfg(not(feature = "compressed"))]
fn inflate(_zlib: &[u8], _size: usize) -> Result<Vec<u8>, DecodeError> {
    Err(DecodeError::new(ErrorKind::Compressed))
}

#[cfg(all(test, feature = "compressed"))]
mod tests {
    use super::*;
    use miniz_oxide::deflate::compress_to_vec_zlib;

    fn compress(term: &[u8], announced: u32) -> Vec<u8> {
        let mut v = vec![tag::VERSION, tag::COMPRESSED];
        v.extend_from_slice(&announced.to_be_bytes());
        v.extend_from_slice(&compress_to_vec_zlib(&term[1..], 6));
        v
    }

    #[test]
    fn round_trip() {
        let plain = super::super::to_vec(&vec![1u32; 1000]);
        let c = compress(&plain, plain.len() as u32 - 1);
        assert!(c.len() < plain.len());
        assert_eq!(&*decompress(&c).unwrap(), &plain[..]);
    }

    #[test]
    fn lying_sizes_are_errors() {
        let plain = super::super::to_vec(&vec![1u32; 1000]);
        let n = plain.len() as u32 - 1;
        let small = decompress(&compress(&plain, n - 1)).unwrap_err();
        assert_eq!(
            small.to_string(),
            format!(
                "malformed compressed term: the term inflates to more than the announced {} bytes",
                n - 1
            )
        );
        let large = decompress(&compress(&plain, n + 1)).unwrap_err();
        assert_eq!(
            large.to_string(),
            format!(
                "malformed compressed term: the term inflates to {n} bytes, not the announced {}",
                n + 1
            )
        );
        // Refused before inflating: the stream is never read.
        let huge = decompress(&[131, 80, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]).unwrap_err();
        assert!(matches!(
            huge.kind(),
            ErrorKind::TooLarge {
                size: 0xffff_ffff,
                limit: MAX_INFLATED
            }
        ));
        assert_eq!(
            decompress(&[131, 80, 0, 0]).unwrap_err().kind(),
            &ErrorKind::Truncated
        );
    }

    #[test]
    fn corrupt_streams_are_errors() {
        let plain = super::super::to_vec(&vec![1u32; 1000]);
        let mut c = compress(&plain, plain.len() as u32 - 1);
        let cut = decompress(&c[..c.len() - 8]).unwrap_err();
        assert_eq!(
            cut.to_string(),
            "malformed compressed term: the zlib stream is cut short"
        );
        let last = c.len() - 1;
        c[last] ^= 1;
        assert_eq!(
            decompress(&c).unwrap_err().to_string(),
            "malformed compressed term: the zlib checksum does not match"
        );
    }
}

#[cfg(all(test, not(feature = "compressed")))]
mod without_feature {
    use super::*;

    #[test]
    fn the_error_names_the_feature() {
        let e = decompress(&[131, 80, 0, 0, 0, 1, 120, 156]).unwrap_err();
        assert_eq!(e.kind(), &ErrorKind::Compressed);
        assert!(e.to_string().contains("`compressed` feature"), "{e}");
        // Uncompressed terms are untouched.
        assert!(decompress(&[131, 97, 1]).is_ok());
    }
}
