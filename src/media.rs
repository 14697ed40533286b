//! Checking and cleaning uploads: the type comes from the bytes (never the file name),
//! images are re-encoded (which drops EXIF, GPS and XMP and defeats polyglot files) once their
//! pixel count, read from the header, is known to be reasonable; PDFs lose their document
//! information and every XMP stream (the document's and each page's); DOCX and ODT files their
//! author, editor, company and revision properties, and DOCX files the names of who tracked
//! changes or commented (`word/people.xml` too). The SHA-256 is taken after cleaning, so it
//! identifies exactly what is served.

use std::io::Cursor;

use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

/// An upload that passed the checks.
pub struct Cleaned {
    pub bytes: Vec<u8>,
    pub media_type: String,
    pub sha256: String,
    /// An image's preview (at most `THUMB` pixels a side, JPEG or PNG if it has transparency).
    pub thumbnail: Option<Vec<u8>>,
}

/// The longest side of an image preview, in pixels.
pub const THUMB: u32 = 480;

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

/// The file names the upload field offers (its `accept`), for the types in `ALLOWED`; the
/// type is still read from the bytes.
pub const ACCEPTED_EXTENSIONS: &str =
    ".pdf,.docx,.odt,.jpg,.jpeg,.png,.webp,.gif,.mp3,.ogg,.oga,.wav,.m4a,.flac,.weba,.mp4,.webm,.ogv";

/// Whether the bytes are an image (as `clean` will read them).
pub fn is_image(bytes: &[u8]) -> bool {
    infer::get(bytes).is_some_and(|t| t.mime_type().starts_with("image/"))
}

/// Sniffs and checks a file from another server without changing it (so it stays the file
/// its digest names): only the types an upload may have are let through.
pub fn check(bytes: Vec<u8>) -> AppResult<Cleaned> {
    let sniffed = sniff(&bytes).ok_or(AppError::UnsupportedMedia)?;
    if !ALLOWED.contains(&sniffed) {
        return Err(AppError::UnsupportedMedia);
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(Cleaned { bytes, media_type: sniffed.to_string(), sha256, thumbnail: None })
}

/// Sniffs, checks and cleans an upload. `images_only` is for logos.
pub fn clean(bytes: Vec<u8>, images_only: bool) -> AppResult<Cleaned> {
    let sniffed = sniff(&bytes).ok_or(AppError::UnsupportedMedia)?;
    if !ALLOWED.contains(&sniffed) || (images_only && !sniffed.starts_with("image/")) {
        return Err(AppError::UnsupportedMedia);
    }
    let (bytes, media_type, thumbnail) = match sniffed {
        "image/jpeg" | "image/png" | "image/webp" | "image/gif" => {
            let (bytes, media_type, thumb) = reencode_image(&bytes, sniffed)?;
            (bytes, media_type, Some(thumb))
        }
        "application/pdf" => (strip_pdf(bytes)?, sniffed.to_string(), None),
        DOCX | ODT => (strip_office(&bytes)?, sniffed.to_string(), None),
        _ => (bytes, sniffed.to_string(), None),
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(Cleaned { bytes, media_type, sha256, thumbnail })
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

/// The most pixels an image may have: decoding takes four bytes a pixel (a 236 KB PNG of
/// 9000x9000 would take 324 MB), so the count is read from the header first.
pub const MAX_PIXELS: u64 = 40_000_000;

/// Re-encodes an image (dropping every metadata block) and makes its preview from the same
/// decoded pixels, so the preview carries nothing the image did not.
fn reencode_image(bytes: &[u8], mime: &str) -> AppResult<(Vec<u8>, String, Vec<u8>)> {
    use image::{ImageFormat, ImageReader};
    let bad = || AppError::invalid("file", "err-bad-file", mime);
    let (width, height) = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| bad())?
        .into_dimensions()
        .map_err(|_| bad())?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(AppError::invalid("file", "err-image-too-large", &(MAX_PIXELS / 1_000_000).to_string()));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader = reader.with_guessed_format().map_err(|_| bad())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| bad())?;
    let (format, out_mime) = match mime {
        "image/jpeg" => (ImageFormat::Jpeg, "image/jpeg"),
        "image/webp" => (ImageFormat::WebP, "image/webp"),
        // a GIF's first frame, as PNG: animation is rare in NGO material, metadata is not
        _ => (ImageFormat::Png, "image/png"),
    };
    let img = if format == ImageFormat::Jpeg { image::DynamicImage::ImageRgb8(img.to_rgb8()) } else { img };
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).map_err(AppError::internal)?;
    let small = if img.width() > THUMB || img.height() > THUMB { img.thumbnail(THUMB, THUMB) } else { img };
    let mut thumb = Cursor::new(Vec::new());
    if small.color().has_alpha() {
        small.write_to(&mut thumb, ImageFormat::Png).map_err(AppError::internal)?;
    } else {
        image::DynamicImage::ImageRgb8(small.to_rgb8())
            .write_to(&mut thumb, ImageFormat::Jpeg)
            .map_err(AppError::internal)?;
    }
    Ok((out.into_inner(), out_mime.to_string(), thumb.into_inner()))
}

fn strip_pdf(bytes: Vec<u8>) -> AppResult<Vec<u8>> {
    let mut doc = lopdf::Document::load_mem(&bytes).map_err(|_| AppError::invalid("file", "err-bad-pdf", ""))?;
    if doc.is_encrypted() {
        return Err(AppError::invalid("file", "err-bad-pdf", ""));
    }
    doc.trailer.remove(b"Info");
    // XMP hangs off the catalog, but also off pages, images and fonts (`Metadata`), and
    // applications keep their own data, authors included, in `PieceInfo`
    for object in doc.objects.values_mut() {
        let dict = match object {
            lopdf::Object::Dictionary(d) => d,
            lopdf::Object::Stream(s) => &mut s.dict,
            _ => continue,
        };
        dict.remove(b"Metadata");
        dict.remove(b"PieceInfo");
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
    let deflated = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(bad)?;
        let name = entry.name().to_string();
        if let Some((name, xml)) = EMPTY.iter().find(|(n, _)| *n == name) {
            drop(entry);
            out.start_file(*name, deflated).map_err(AppError::internal)?;
            out.write_all(xml.as_bytes()).map_err(AppError::internal)?;
        } else if names_people(&name) {
            // who tracked a change or commented: w:author and w:initials are blanked; the
            // people part lists them all, and goes empty
            drop(entry);
            let xml = if name == "word/people.xml" {
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"/>"#
                    .to_string()
            } else {
                let mut text = String::new();
                let mut part = archive.by_index(i).map_err(bad)?;
                std::io::Read::read_to_string(&mut part, &mut text)
                    .map_err(|_| AppError::invalid("file", "err-bad-file", "DOCX"))?;
                blank_attributes(&text, &["w:author", "w:initials", "w15:author", "w15:userId"])
            };
            out.start_file(name, deflated).map_err(AppError::internal)?;
            out.write_all(xml.as_bytes()).map_err(AppError::internal)?;
        } else {
            out.raw_copy_file(entry).map_err(AppError::internal)?;
        }
    }
    Ok(out.finish().map_err(AppError::internal)?.into_inner())
}

/// The parts of a Word document that can name people: the body, headers, footers, notes and
/// comments (tracked changes and comments carry `w:author`), and the people list.
fn names_people(name: &str) -> bool {
    name.starts_with("word/")
        && name.ends_with(".xml")
        && !name.starts_with("word/_rels/")
        && !name.starts_with("word/theme/")
        && !matches!(name, "word/styles.xml" | "word/fontTable.xml" | "word/settings.xml" | "word/webSettings.xml")
}

/// `xml` with the value of each attribute in `names` emptied (`w:author="..."` becomes
/// `w:author=""`).
fn blank_attributes(xml: &str, names: &[&str]) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    'scan: while !rest.is_empty() {
        for name in names {
            for quote in ['"', '\''] {
                let pattern = format!(" {name}={quote}");
                if rest.starts_with(&pattern) {
                    let after = &rest[pattern.len()..];
                    let Some(end) = after.find(quote) else { break 'scan };
                    out.push_str(&pattern);
                    out.push(quote);
                    rest = &after[end + 1..];
                    continue 'scan;
                }
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
    out
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
    fn an_image_of_too_many_pixels_is_refused_before_it_is_decoded() {
        // a 9000x9000 PNG is a few hundred kilobytes, and 324 MB once decoded
        let img = image::GrayImage::new(9000, 9000);
        let mut png = Cursor::new(Vec::new());
        img.write_to(&mut png, image::ImageFormat::Png).unwrap();
        let png = png.into_inner();
        assert!(png.len() < 1_000_000);
        match clean(png, false) {
            Err(AppError::Invalid(e)) => assert_eq!(e[0].code, "err-image-too-large"),
            other => panic!("{:?}", other.map(|c| c.media_type)),
        }
        let small = image::GrayImage::new(64, 64);
        let mut png = Cursor::new(Vec::new());
        small.write_to(&mut png, image::ImageFormat::Png).unwrap();
        assert_eq!(clean(png.into_inner(), false).unwrap().media_type, "image/png");
    }

    #[test]
    fn a_pdf_loses_the_xmp_of_its_pages_too() {
        use lopdf::{dictionary, Document, Object, Stream};
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let xmp = doc.add_object(Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            b"<x:xmpmeta><dc:creator>Secret Witness Name</dc:creator></x:xmpmeta>".to_vec(),
        ));
        let content = doc.add_object(Stream::new(dictionary! {}, b"BT ET".to_vec()));
        let page = doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "Metadata" => xmp, "MediaBox" => vec![0.into(), 0.into(), 100.into(), 100.into()] });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        assert!(String::from_utf8_lossy(&bytes).contains("Secret Witness"));
        let cleaned = clean(bytes, false).unwrap();
        assert!(!String::from_utf8_lossy(&cleaned.bytes).contains("Secret Witness"));
        assert!(Document::load_mem(&cleaned.bytes).unwrap().get_pages().len() == 1);
    }

    /// RUSTSEC-2026-0187 (found by `cargo deny check advisories`): lopdf before 0.42 recursed once
    /// per nesting level, so a 21 KB PDF of 10,380 nested arrays overflowed the stack and aborted
    /// the whole server, which no `catch_unwind` can stop.
    #[test]
    fn a_pdf_nested_ten_thousand_deep_is_refused_without_crashing() {
        let depth = 10_380;
        let mut body = Vec::new();
        body.extend_from_slice(b"%PDF-1.5\n");
        let catalog_at = body.len();
        body.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /X ");
        body.extend(std::iter::repeat_n(b'[', depth));
        body.extend(std::iter::repeat_n(b']', depth));
        body.extend_from_slice(b" >>\nendobj\n");
        let pages_at = body.len();
        body.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n");
        let xref_at = body.len();
        body.extend_from_slice(
            format!(
                "xref\n0 3\n0000000000 65535 f \n{catalog_at:010} 00000 n \n{pages_at:010} 00000 n \n\
                 trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n"
            )
            .as_bytes(),
        );
        // run where uploads are cleaned: a thread with the default 2 MiB stack
        let cleaned = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || clean(body, false).map(|c| c.media_type))
            .unwrap()
            .join()
            .unwrap();
        // lopdf 0.42+ stops at its nesting limit: the file is refused or cleaned, the server lives
        match cleaned {
            Ok(media_type) => assert_eq!(media_type, "application/pdf"),
            Err(AppError::Invalid(e)) => assert_eq!(e[0].code, "err-bad-pdf"),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_word_document_loses_who_tracked_changes_and_commented() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        let parts = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#,
            ),
            (
                "word/document.xml",
                r#"<w:document><w:body><w:p><w:ins w:id="1" w:author="Secret Name" w:date="2026-01-01T00:00:00Z"><w:r><w:t>Testimony text</w:t></w:r></w:ins></w:p></w:body></w:document>"#,
            ),
            (
                "word/comments.xml",
                r#"<w:comments><w:comment w:id="0" w:author='Secret Name' w:initials="SN"><w:p><w:r><w:t>Check the date</w:t></w:r></w:p></w:comment></w:comments>"#,
            ),
            (
                "word/people.xml",
                r#"<w15:people><w15:person w15:author="Secret Name"><w15:presenceInfo w15:providerId="None" w15:userId="Secret Name"/></w15:person></w15:people>"#,
            ),
        ];
        for (name, text) in parts {
            zip.start_file(name, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        assert!(zip_text(bytes.clone()).contains("Secret Name"));
        let cleaned = clean(bytes, false).unwrap();
        assert_eq!(cleaned.media_type, DOCX);
        let text = zip_text(cleaned.bytes);
        assert!(!text.contains("Secret Name") && !text.contains("\"SN\""), "{text}");
        assert!(text.contains("Testimony text") && text.contains("Check the date"));
        assert!(text.contains(r#"<w:ins w:id="1" w:author="" w:date="#));
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
