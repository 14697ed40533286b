use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{pdf_with_author, resource, TestApp};

/// A JPEG carrying an EXIF segment with a marker string.
fn jpeg_with_exif() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(8, 8, image::Rgb([200, 30, 30]));
    let mut jpeg = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
    let jpeg = jpeg.into_inner();
    let payload = b"Exif\0\0GPS 34.5553N 69.2075E";
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    app1.extend_from_slice(payload);
    let mut out = jpeg[..2].to_vec();
    out.extend(app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

async fn upload(app: &TestApp, token: &str, id: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    upload_described(app, token, id, name, "A test image", bytes).await
}

async fn upload_described(
    app: &TestApp,
    token: &str,
    id: &str,
    name: &str,
    alt: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("lang", "en")
        .text("alt", alt.to_string())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    app.client
        .post(app.url(&format!("/api/v1/resources/{id}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn pdf_metadata_and_image_exif_are_removed_and_the_digest_recorded() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let r = app.post_resource(&token, &resource("redress", "Guide")).await;
    let id = r["id"].as_str().unwrap();

    let pdf = pdf_with_author();
    assert!(pdf.windows(19).any(|w| w == b"Secret Witness Name"));
    let res = upload(&app, &token, id, "guide.pdf", pdf).await;
    assert_eq!(res.status(), 201);
    let a: serde_json::Value = res.json().await.unwrap();
    assert_eq!(a["media_type"], "application/pdf");
    let served = app
        .get(&format!("/files/{}/{}", a["id"].as_str().unwrap(), a["name"].as_str().unwrap()))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(!served.windows(19).any(|w| w == b"Secret Witness Name"));
    assert!(!served.windows(12).any(|w| w == b"Leaky Writer"));
    use sha2::Digest;
    assert_eq!(a["sha256"], hex::encode(sha2::Sha256::digest(&served)));

    // streamed: a range (a player seeking in a recording), and a cached copy kept
    let path = format!("/files/{}/{}", a["id"].as_str().unwrap(), a["name"].as_str().unwrap());
    let res = app.client.get(app.url(&path)).header("range", "bytes=5-14").send().await.unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap(), served[5..15]);
    let etag = format!("\"{}\"", a["sha256"].as_str().unwrap());
    let res = app.client.get(app.url(&path)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(res.status(), 304);
    let res = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(res.headers()["etag"], etag.as_str());
    let modified = res.headers()["last-modified"].to_str().unwrap().to_string();
    let res = app.client.get(app.url(&path)).header("if-modified-since", &modified).send().await.unwrap();
    assert_eq!(res.status(), 304);

    let res = upload(&app, &token, id, "photo.jpg", jpeg_with_exif()).await;
    assert_eq!(res.status(), 201);
    let a: serde_json::Value = res.json().await.unwrap();
    let served = app
        .get(&format!("/files/{}/{}", a["id"].as_str().unwrap(), a["name"].as_str().unwrap()))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(!served.windows(9).any(|w| w == b"34.5553N "));
    let got: serde_json::Value = app.get(&format!("/api/v1/resources/{id}")).await.json().await.unwrap();
    assert_eq!(got["attachments"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_executable_renamed_pdf_is_refused_with_415() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let r = app.post_resource(&token, &resource("redress", "Guide")).await;
    let mut elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00\x01\x00\x00\x00".to_vec();
    elf.resize(4096, 0);
    let res = upload(&app, &token, r["id"].as_str().unwrap(), "report.pdf", elf).await;
    assert_eq!(res.status(), 415);
    let got: serde_json::Value =
        app.get(&format!("/api/v1/resources/{}", r["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(got["attachments"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_200_mb_upload_is_refused_with_413_before_it_is_read() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let r = app.post_resource(&token, &resource("redress", "Guide")).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/resources/{}/attachments HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: {}\r\n\r\n--XYZ\r\n",
        r["id"].as_str().unwrap(),
        200 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&vec![b'a'; 64 * 1024]).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = stream.read(&mut buf).await.unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[tokio::test]
async fn an_upload_just_over_the_configured_cap_is_refused_while_streaming() {
    let app = TestApp::spawn_with(|c| c.max_upload_bytes = 1024 * 1024).await;
    let token = app.org_with_editor("redress", "amina").await;
    let r = app.post_resource(&token, &resource("redress", "Guide")).await;
    let mut pdf = pdf_with_author();
    pdf.resize(1024 * 1024 + 10, b' ');
    let res = upload(&app, &token, r["id"].as_str().unwrap(), "big.pdf", pdf).await;
    assert_eq!(res.status(), 413);
}

/// Where pypdf's Python and exiftool are (`.ci/test-tools` installs them). Outside CI, without
/// them, the test says so and checks nothing; in CI their absence fails it.
fn pdf_tools() -> Option<(String, String)> {
    let python = std::env::var("AMICUS_PYPDF_PYTHON").ok().filter(|s| !s.is_empty());
    let exiftool = std::env::var("AMICUS_EXIFTOOL").ok().filter(|s| !s.is_empty());
    match (python, exiftool) {
        (Some(p), Some(e)) => Some((p, e)),
        _ if std::env::var("CI").is_ok() => {
            panic!("CI must set AMICUS_PYPDF_PYTHON and AMICUS_EXIFTOOL (.ci/test-tools)")
        }
        _ => {
            eprintln!("pypdf and exiftool not configured: skipping the independent PDF readers");
            None
        }
    }
}

#[tokio::test]
async fn cleaned_pdfs_read_without_warnings_in_pypdf_and_exiftool() {
    let Some((python, exiftool)) = pdf_tools() else { return };
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let r = app.post_resource(&token, &resource("redress", "Guide")).await;
    let id = r["id"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/pdf_check.py");
    let made = dir.path().join("made.pdf");
    let ok = std::process::Command::new(&python).args([script, "make"]).arg(&made).status().unwrap();
    assert!(ok.success());
    // one PDF written by pypdf, one by lopdf, each with an author to remove
    for (name, bytes) in [("pypdf.pdf", std::fs::read(&made).unwrap()), ("lopdf.pdf", pdf_with_author())] {
        let res = upload(&app, &token, id, name, bytes).await;
        assert_eq!(res.status(), 201);
        let a: serde_json::Value = res.json().await.unwrap();
        let served = app.get(&format!("/files/{}/{name}", a["id"].as_str().unwrap())).await.bytes().await.unwrap();
        let path = dir.path().join(format!("served-{name}"));
        std::fs::write(&path, &served).unwrap();

        let out = std::process::Command::new(&python).args([script, "read"]).arg(&path).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!stdout.contains("Secret Witness Name"), "{stdout}");

        let out =
            std::process::Command::new(&exiftool).args(["-validate", "-warning", "-a"]).arg(&path).output().unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(report.contains("Validate") && report.contains(": OK"), "{name}: {report}");
        assert!(!report.contains("Warning"), "{name}: {report}");
        let all = std::process::Command::new(&exiftool).arg(&path).output().unwrap();
        assert!(!String::from_utf8_lossy(&all.stdout).contains("Secret Witness"));
    }
}

#[tokio::test]
async fn an_image_needs_a_description_and_shows_as_a_small_clean_preview() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let r = app.post_resource(&token, &resource("redress", "Guide with a photo")).await;
    let id = r["id"].as_str().unwrap();
    // a large photo with GPS in its EXIF
    let img = image::RgbImage::from_fn(1600, 900, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut jpeg = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img).write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
    let jpeg = jpeg.into_inner();
    let payload = b"Exif\0\0GPS 34.5553N 69.2075E";
    let mut photo = jpeg[..2].to_vec();
    photo.extend([0xFF, 0xE1]);
    photo.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    photo.extend_from_slice(payload);
    photo.extend_from_slice(&jpeg[2..]);

    // without a description: refused, and nothing attached
    let res = upload_described(&app, &token, id, "photo.jpg", " ", photo.clone()).await;
    assert_eq!(res.status(), 422);
    let problem: serde_json::Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "alt", "{problem}");

    let alt = "Families holding photographs of the disappeared outside the court";
    let res = upload_described(&app, &token, id, "photo.jpg", alt, photo).await;
    assert_eq!(res.status(), 201);
    let a: serde_json::Value = res.json().await.unwrap();
    assert_eq!(a["alt"], "Families holding photographs of the disappeared outside the court");
    let thumb_url = a["thumbnail_url"].as_str().unwrap();
    let path = &thumb_url[thumb_url.find("/thumbs/").unwrap()..];
    let thumb = app.get(path).await;
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    let bytes = thumb.bytes().await.unwrap();
    let small = image::load_from_memory(&bytes).unwrap();
    assert_eq!((small.width(), small.height()), (480, 270), "the preview keeps the aspect ratio");
    assert!(!bytes.windows(3).any(|w| w == b"GPS"), "the preview carries no metadata");

    // the page shows the preview with its description, linking to the full image
    let page = app.get(&format!("/r/{id}")).await.text().await.unwrap();
    let uid = a["id"].as_str().unwrap();
    assert!(page.contains(&format!(
        r#"<img src="/thumbs/{uid}" alt="Families holding photographs of the disappeared outside the court""#
    )));

    // a draft's preview is as private as the draft
    let draft =
        app.api_patch(&token, &format!("/api/v1/resources/{id}"), &serde_json::json!({"status": "draft"})).await;
    assert_eq!(draft.status(), 200);
    assert_eq!(reqwest::get(app.url(path)).await.unwrap().status(), 404);
}
