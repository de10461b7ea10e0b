//! Bytes to text: gzip, UTF-8 BOM, CP1252 fallback, separator detection, header names.

use std::io::Read;

/// Text encoding detected in a file.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (with or without BOM).
    Utf8,
    /// Windows-1252 / Latin-1, transcoded to UTF-8.
    Cp1252,
    /// UTF-16 (little- or big-endian) with a byte-order mark, transcoded to UTF-8.
    Utf16,
}

impl Encoding {
    /// Name used in provenance.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Cp1252 => "windows-1252",
            Encoding::Utf16 => "utf-16",
        }
    }
}

/// A decoded file.
#[derive(Debug)]
pub struct Decoded {
    /// UTF-8 text without BOM.
    pub text: String,
    /// Original encoding.
    pub encoding: Encoding,
    /// Whether the bytes were gzip-compressed.
    pub gzip: bool,
    /// Whether a UTF-8 BOM was removed.
    pub bom: bool,
}

/// Decodes raw file bytes (taking them, so that UTF-8 text is not copied).
pub fn decode(bytes: Vec<u8>) -> std::io::Result<Decoded> {
    let gzip = data_is_gzip(&bytes);
    let mut data = if gzip {
        let mut v = Vec::with_capacity(bytes.len() * 6);
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_end(&mut v)
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot decompress: {e}")))?;
        v
    } else {
        bytes
    };
    // UTF-16 with a byte-order mark (spreadsheet "Unicode text" exports) is unambiguous.
    if let Some(text) = utf16_with_bom(&data) {
        return Ok(Decoded {
            text,
            encoding: Encoding::Utf16,
            gzip,
            bom: true,
        });
    }
    // NUL bytes never occur in CSV text: a binary file, or UTF-16 without a mark.
    if let Some(offset) = memchr_nul(&data) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not a text file: NUL byte at offset {offset} (binary content, or UTF-16 without byte-order mark)"
            ),
        ));
    }
    let bom = data.starts_with(b"\xEF\xBB\xBF");
    if bom {
        data.drain(..3);
    }
    match String::from_utf8(data) {
        Ok(text) => Ok(Decoded {
            text,
            encoding: Encoding::Utf8,
            gzip,
            bom,
        }),
        Err(e) => Ok(Decoded {
            text: cp1252_to_string(e.as_bytes()),
            encoding: Encoding::Cp1252,
            gzip,
            bom,
        }),
    }
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0)
}

/// Decodes UTF-16 text that starts with its byte-order mark; `None` otherwise.
fn utf16_with_bom(bytes: &[u8]) -> Option<String> {
    let little = match bytes {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => return None,
    };
    let units = bytes[2..].chunks_exact(2).map(|c| {
        if little {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    Some(
        char::decode_utf16(units)
            .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}

fn data_is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Transcodes Windows-1252 bytes to a UTF-8 string.
pub fn cp1252_to_string(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => HIGH[(b - 0x80) as usize],
            _ => char::from(b),
        })
        .collect()
}

/// The first line (without its end) and the byte offset where the next line starts.
pub fn first_line(text: &str) -> (&str, usize) {
    match text.find('\n') {
        Some(i) => (text[..i].trim_end_matches('\r'), i + 1),
        None => (text.trim_end_matches('\r'), text.len()),
    }
}

/// Picks the separator of a header line: the most frequent of `;`, `,`, tab, `|`.
pub fn detect_separator(header: &str) -> u8 {
    let mut best = (b',', 0usize);
    for sep in [b';', b',', b'\t', b'|'] {
        let n = header.bytes().filter(|b| *b == sep).count();
        if n > best.1 {
            best = (sep, n);
        }
    }
    best.0
}

/// Header names: split on the separator, trimmed of spaces and (even unbalanced) quotes.
pub fn header_names(header: &str, sep: u8) -> Vec<String> {
    header
        .split(char::from(sep))
        .map(|h| h.trim().trim_matches('"').trim().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn gzip_bom_and_cp1252() {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"\xEF\xBB\xBFa;b\n1;2\n").unwrap();
        let d = decode(enc.finish().unwrap()).unwrap();
        assert!(d.gzip && d.bom);
        assert_eq!(d.text, "a;b\n1;2\n");
        let d = decode(b"x;Pfizer P\xe9diatrique\x80\n".to_vec()).unwrap();
        assert_eq!(d.encoding, Encoding::Cp1252);
        assert_eq!(d.text, "x;Pfizer Pédiatrique€\n");
    }

    #[test]
    fn utf16_is_decoded_and_binary_is_refused() {
        let mut le = vec![0xFF, 0xFE];
        for u in "dep;jour\n01;é\n".encode_utf16() {
            le.extend_from_slice(&u.to_le_bytes());
        }
        let d = decode(le).unwrap();
        assert_eq!(d.text, "dep;jour\n01;é\n");
        assert_eq!(d.encoding, Encoding::Utf16);
        let e = decode(b"dep;jour\n\x00\x01\x02".to_vec()).unwrap_err();
        assert!(e.to_string().contains("NUL byte at offset 9"), "{e}");
        let e = decode(vec![0x1f, 0x8b, 8, 0, 0, 0]).unwrap_err();
        assert!(e.to_string().starts_with("cannot decompress"), "{e}");
    }

    #[test]
    fn headers() {
        let h = "\"extract_date,\"tx_incid\",\"R\",\"taux_occupation_sae\",\"tx_pos\"";
        let sep = detect_separator(h);
        assert_eq!(sep, b',');
        assert_eq!(
            header_names(h, sep),
            [
                "extract_date",
                "tx_incid",
                "R",
                "taux_occupation_sae",
                "tx_pos"
            ]
        );
        assert_eq!(detect_separator("\"dep\";\"sexe\";\"jour\""), b';');
        assert_eq!(first_line("a;b\r\n1;2"), ("a;b", 5));
    }
}
