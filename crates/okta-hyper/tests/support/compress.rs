//! Compressed bodies for the decompression tests, made with flate2.

use std::io::Write;

use bytes::Bytes;
use flate2::{Compress, Compression, FlushCompress};

pub fn gzip(data: &[u8]) -> Bytes {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    Bytes::from(encoder.finish().unwrap())
}

/// HTTP's `deflate`: the zlib format (RFC 1950).
pub fn deflate(data: &[u8]) -> Bytes {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    Bytes::from(encoder.finish().unwrap())
}

/// A gzip bomb: `mebibytes` MiB of zeros in about 1 KiB per MiB, as frames of the body (the
/// gzip header with the first block, then one block per MiB). It has no trailer: a client that
/// read it all would fail on the truncated stream, not on its cap.
///
/// Built from two blocks only: after a sync flush, a deflate block of 1 MiB of zeros that
/// follows zeros compresses to the same bytes every time (checked here), so repeating it is a
/// valid stream.
pub fn gzip_bomb(mebibytes: usize) -> Vec<Bytes> {
    let zeros = vec![0u8; 1 << 20];
    let mut compress = Compress::new(Compression::best(), false);
    let first = sync_flushed(&mut compress, &zeros);
    let steady = sync_flushed(&mut compress, &zeros);
    assert_eq!(
        steady,
        sync_flushed(&mut compress, &zeros),
        "the steady block repeats"
    );
    let mut head = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    head.extend_from_slice(&first);
    let steady = Bytes::from(steady);
    std::iter::once(Bytes::from(head))
        .chain(std::iter::repeat_n(steady, mebibytes.saturating_sub(1)))
        .collect()
}

/// Compresses `input` whole, then flushes to a byte boundary.
fn sync_flushed(compress: &mut Compress, input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 * 1024);
    let mut consumed = 0;
    // Bounded: each round consumes input or fills the spare room reserved before it.
    loop {
        let before = compress.total_in();
        out.reserve(8 * 1024);
        compress
            .compress_vec(&input[consumed..], &mut out, FlushCompress::Sync)
            .unwrap();
        consumed += usize::try_from(compress.total_in() - before).unwrap();
        if consumed == input.len() && out.len() < out.capacity() {
            return out;
        }
    }
}
