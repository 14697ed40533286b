//! Checking and cleaning uploads: the type comes from the bytes (never the file name),
//! images are re-encoded (which drops EXIF, GPS and XMP and defeats polyglot files),
//! PDFs lose their document information and XMP metadata, and DOCX and ODT files their
//! author, editor, company and revision properties. The SHA-256 is taken after
//! cleaning, so it identifies exactly what is served.

use std::io::Cursor;

use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

/// An upload that passed the checks.
pub struct Cleaned {
    pub bytes: Vec<u8>,
    pub media_type: String,
    pub sha256: String,
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const ODT: &str = "application/vnd.oasis.opendocument.text";

/// Types accepted as attachments.
const ALLOWED: &[&str] = &[
    "application/pdf",
    DOCX,
    ODT,
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "audio/mpeg",
    "audio/ogg",
    "audio/x-wav",
    "audio/m4a",
    "audio/x-flac",
    "audio/webm",
    "video/mp4",
    "video/webm",
    "video/ogg",
];

/// Sniffs and checks a file from another server without changing it (so it stays the file
/// its digest names): only the types an upload may have are let through.
pub fn check(bytes: Vec<u8>) -> AppResult<Cleaned> {
    let sniffed = sniff(&bytes).ok_or(AppError::UnsupportedMedia)?;
    if !ALLOWED.contains(&sniffed) {
        return Err(AppError::UnsupportedMedia);
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(Cleaned { bytes, media_type: sniffed.to_string(), sha256 })
}

/// Sniffs, checks and cleans an upload. `images_only` is for logos.
pub fn clean(bytes: Vec<u8>, images_only: bool) -> AppResult<Cleaned> {
    let sniffed = sniff(&bytes).ok_or(AppError::UnsupportedMedia)?;
    if !ALLOWED.contains(&sniffed) || (images_only && !sniffed.starts_with("image/")) {
        return Err(AppError::UnsupportedMedia);
    }
    let (bytes, media_type) = match sniffed {
        "image/jpeg" | "image/png" | "image/webp" | "image/gif" => reencode_image(&bytes, sniffed)?,
        "application/pdf" => (strip_pdf(bytes)?, sniffed.to_string()),
        DOCX | ODT => (strip_office(&bytes)?, sniffed.to_string()),
        _ => (bytes, sniffed.to_string()),
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(Cleaned { bytes, media_type, sha256 })
}

/// The type of a file from its bytes. ZIP containers are opened to tell a Word or
/// OpenDocument text from any other archive: `infer` takes files written by some tools
/// (python-docx, for one) for plain ZIP.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let t = infer::get(bytes)?.mime_type();
    if !matches!(t, "application/zip" | DOCX | ODT) {
        return Some(t);
    }
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let names: Vec<&str> = archive.file_names().collect();
    if names.contains(&"[Content_Types].xml") && names.contains(&"word/document.xml") {
        return Some(DOCX);
    }
    // OpenDocument: an uncompressed `mimetype` entry first, with the type in it
    let odt_magic = b"mimetypeapplication/vnd.oasis.opendocument.text";
    if bytes.get(30..30 + odt_magic.len()) == Some(odt_magic.as_slice()) {
        return Some(ODT);
    }
    Some("application/zip")
}

fn reencode_image(bytes: &[u8], mime: &str) -> AppResult<(Vec<u8>, String)> {
    use image::{ImageFormat, ImageReader};
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader = reader.with_guessed_format().map_err(|_| AppError::invalid("file", "err-bad-file", mime))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| AppError::invalid("file", "err-bad-file", mime))?;
    let (format, out_mime) = match mime {
        "image/jpeg" => (ImageFormat::Jpeg, "image/jpeg"),
        "image/webp" => (ImageFormat::WebP, "image/webp"),
        // a GIF's first frame, as PNG: animation is rare in NGO material, metadata is not
        _ => (ImageFormat::Png, "image/png"),
    };
    let img = if format == ImageFormat::Jpeg { image::DynamicImage::ImageRgb8(img.to_rgb8()) } else { img };
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).map_err(AppError::internal)?;
    Ok((out.into_inner(), out_mime.to_string()))
}

fn strip_pdf(bytes: Vec<u8>) -> AppResult<Vec<u8>> {
    let mut doc = lopdf::Document::load_mem(&bytes).map_err(|_| AppError::invalid("file", "err-bad-pdf", ""))?;
    if doc.is_encrypted() {
        return Err(AppError::invalid("file", "err-bad-pdf", ""));
    }
    doc.trailer.remove(b"Info");
    if let Ok(catalog) = doc.catalog_mut() {
        catalog.remove(b"Metadata");
    }
    // drop the now-unreferenced info dictionary and XMP stream objects
    doc.prune_objects();
    let mut out = Vec::with_capacity(bytes.len());
    doc.save_to(&mut out).map_err(AppError::internal)?;
    Ok(out)
}

/// Office documents keep who wrote and last edited them, their organisation and revision
/// times in small XML parts. Those parts are replaced with empty ones; every other entry is
/// copied as it is, without being decompressed.
fn strip_office(bytes: &[u8]) -> AppResult<Vec<u8>> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    const EMPTY: &[(&str, &str)] = &[
        (
            "docProps/core.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"/>"#,
        ),
        (
            "docProps/app.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"/>"#,
        ),
        (
            "docProps/custom.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>"#,
        ),
        (
            "meta.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.2"><office:meta/></office:document-meta>"#,
        ),
    ];
    let bad = |_| AppError::invalid("file", "err-bad-file", "DOCX/ODT");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(bad)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len())));
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(bad)?;
        match EMPTY.iter().find(|(name, _)| *name == entry.name()) {
            Some((name, xml)) => {
                drop(entry);
                let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
                out.start_file(*name, options).map_err(AppError::internal)?;
                out.write_all(xml.as_bytes()).map_err(AppError::internal)?;
            }
            None => out.raw_copy_file(entry).map_err(AppError::internal)?,
        }
    }
    Ok(out.finish().map_err(AppError::internal)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_executable_named_pdf_is_refused() {
        let elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00".to_vec();
        assert!(matches!(clean(elf, false), Err(AppError::UnsupportedMedia)));
        assert!(matches!(clean(b"just text".to_vec(), false), Err(AppError::UnsupportedMedia)));
    }

    /// Every entry of an archive, decompressed and concatenated.
    fn zip_text(bytes: Vec<u8>) -> String {
        use std::io::Read;
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut all = Vec::new();
        for i in 0..archive.len() {
            archive.by_index(i).unwrap().read_to_end(&mut all).unwrap();
        }
        String::from_utf8_lossy(&all).into_owned()
    }

    #[test]
    fn office_documents_lose_their_author_and_keep_their_text() {
        // made with python-docx and odfpy, author "Secret Name"
        for (bytes, mime) in [
            (include_bytes!("../tests/fixtures/author.docx").to_vec(), DOCX),
            (include_bytes!("../tests/fixtures/author.odt").to_vec(), ODT),
        ] {
            assert!(zip_text(bytes.clone()).contains("Secret Name"));
            let cleaned = clean(bytes, false).unwrap();
            assert_eq!(cleaned.media_type, mime);
            let text = zip_text(cleaned.bytes);
            assert!(text.contains("Testimony text"), "{mime}");
            assert!(!text.contains("Secret Name") && !text.contains("Field Office Kabul"), "{mime}");
        }
    }
}
