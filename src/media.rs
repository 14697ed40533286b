//! Checking and cleaning uploads: the type comes from the bytes (never the file name),
//! images are re-encoded (which drops EXIF, GPS and XMP and defeats polyglot files) and
//! PDFs lose their document information and XMP metadata. The SHA-256 is taken after
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

/// Sniffs, checks and cleans an upload. `images_only` is for logos.
pub fn clean(bytes: Vec<u8>, images_only: bool) -> AppResult<Cleaned> {
    let sniffed = infer::get(&bytes).map(|t| t.mime_type()).ok_or(AppError::UnsupportedMedia)?;
    if !ALLOWED.contains(&sniffed) || (images_only && !sniffed.starts_with("image/")) {
        return Err(AppError::UnsupportedMedia);
    }
    let (bytes, media_type) = match sniffed {
        "image/jpeg" | "image/png" | "image/webp" | "image/gif" => reencode_image(&bytes, sniffed)?,
        "application/pdf" => (strip_pdf(bytes)?, sniffed.to_string()),
        _ => (bytes, sniffed.to_string()),
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(Cleaned { bytes, media_type, sha256 })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_executable_named_pdf_is_refused() {
        let elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00".to_vec();
        assert!(matches!(clean(elf, false), Err(AppError::UnsupportedMedia)));
        assert!(matches!(clean(b"just text".to_vec(), false), Err(AppError::UnsupportedMedia)));
    }
}
