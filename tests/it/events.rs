//! The agenda's API: events in their own time zone, postponements that keep the start they
//! replace, bounds on what a calendar may hold.

use serde_json::{json, Value};

use crate::helpers::{resource, TestApp};

pub fn hearing() -> Value {
    json!({"org": "redress", "kind": "hearing-trial", "original_language": "en",
        "translations": {"en": {"title": "Trial hearing in the Said case", "summary": "Witnesses for the defence.",
                                "description": "The hearing is **public**."}},
        "start": "2027-03-04T09:30", "end": "2027-03-04T16:30", "timezone": "Europe/Amsterdam",
        "all_day": false, "status": "scheduled",
        "place": {"name": "International Criminal Court", "street": "Oude Waalsdorperweg 10",
                  "locality": "The Hague", "postal_code": "2597 AK", "country": "nl"},
        "online_url": "https://www.icc-cpi.int/",
        "mechanisms": ["icc"], "themes": ["war-crimes"], "countries": ["cf"],
        "case": {"name": "The Prosecutor v. Mahamat Said Abdel Kani", "number": "ICC-01/14-01/21"},
        "source_url": "https://www.icc-cpi.int/calendar", "rrule": "FREQ=WEEKLY;COUNT=4"})
}

#[tokio::test]
async fn an_event_is_created_in_its_time_zone_listed_postponed_and_deleted() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let note = app.post_resource(&token, &resource("redress", "Briefing note on the Said case")).await;
    let mut body = hearing();
    body["resources"] = json!([note["id"]]);
    let res = app.api_post(&token, "/api/v1/events", &body).await;
    assert_eq!(res.status(), 201);
    let e: Value = res.json().await.unwrap();
    let id = e["id"].as_str().unwrap().to_string();
    assert_eq!(e["url"], format!("{}/e/{id}", app.ctx.config.base_url()));
    assert_eq!(e["ap_id"], e["url"]);
    // wall-clock time in The Hague, and the instant it is
    assert_eq!(e["start"], "2027-03-04T09:30");
    assert_eq!(e["timezone"], "Europe/Amsterdam");
    assert_eq!(e["start_utc"], "2027-03-04T08:30:00Z");
    assert_eq!(e["place"]["locality"], "The Hague");
    assert_eq!(e["case"]["number"], "ICC-01/14-01/21");
    assert_eq!(e["resources"], json!([note["id"]]));
    assert_eq!(e["translations"]["en"]["description"], "The hearing is **public**.");
    assert_eq!(e["sequence"], 0);

    // listed in start order, with filters
    let later = json!({"org": "redress", "kind": "hrc-regular-session", "original_language": "fr",
        "translations": {"fr": {"title": "Session du Conseil des droits de l'homme"}},
        "start": "2027-06-14", "end": "2027-07-09", "all_day": true, "timezone": "Europe/Zurich", "mechanisms": ["un-hrc"]});
    assert_eq!(app.api_post(&token, "/api/v1/events", &later).await.status(), 201);
    let all: Value = app.get("/api/v1/events").await.json().await.unwrap();
    let titles: Vec<&str> = all["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(titles, vec!["hearing-trial", "hrc-regular-session"]);
    let icc: Value = app.get("/api/v1/events?mechanism=icc&country=CF").await.json().await.unwrap();
    assert_eq!(icc["items"].as_array().unwrap().len(), 1);
    let june: Value = app.get("/api/v1/events?from=2027-06-01&to=2027-07-01").await.json().await.unwrap();
    assert_eq!(june["items"][0]["kind"], "hrc-regular-session");
    assert_eq!(app.get("/api/v1/events?kind=picnic").await.status(), 422);

    // a postponement keeps the start it replaces, and the change is counted
    let res = app
        .api_patch(
            &token,
            &format!("/api/v1/events/{id}"),
            &json!({"status": "postponed", "start": "2027-04-08T09:30", "end": "2027-04-08T16:30"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let moved: Value = res.json().await.unwrap();
    assert_eq!(moved["status"], "postponed");
    assert_eq!(moved["previous_start"], "2027-03-04T09:30");
    // April in The Hague is summer time: two hours ahead of UTC
    assert_eq!(moved["start_utc"], "2027-04-08T07:30:00Z");
    assert_eq!(moved["sequence"], 1);
    assert_eq!(moved["translations"]["en"]["title"], "Trial hearing in the Said case", "the rest is kept");
    // a translation is added without touching the other
    let res = app
        .api_patch(
            &token,
            &format!("/api/v1/events/{id}"),
            &json!({"translations": {"fr": {"title": "Audience du procès Saïd"}}}),
        )
        .await;
    let both: Value = res.json().await.unwrap();
    assert_eq!(both["translations"]["fr"]["title"], "Audience du procès Saïd");
    assert_eq!(both["translations"]["en"]["title"], "Trial hearing in the Said case");

    // nobody else changes it; unauthenticated writes are 401 first
    assert_eq!(app.client.delete(app.url(&format!("/api/v1/events/{id}"))).send().await.unwrap().status(), 401);
    let other = app.org_with_editor("other", "omar").await;
    assert_eq!(
        app.api_patch(&other, &format!("/api/v1/events/{id}"), &json!({"status": "cancelled"})).await.status(),
        403
    );
    let res = app.client.delete(app.url(&format!("/api/v1/events/{id}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(app.get(&format!("/api/v1/events/{id}")).await.status(), 404);
}

#[tokio::test]
async fn bad_events_are_refused_with_the_field_named_and_nothing_stored() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let cases = [
        (json!({"timezone": "Europe/Atlantis"}), "timezone"),
        (json!({"end": "2027-03-04T08:00"}), "end"),
        (json!({"start": "9027-03-04T09:30", "end": null}), "start"),
        (json!({"rrule": "FREQ=DAILY"}), "rrule"),
        (json!({"rrule": "FREQ=DAILY;COUNT=9000000"}), "rrule"),
        (json!({"start": "2027-03-28T02:30", "end": null}), "start"),
        (json!({"online_url": "javascript:alert(1)"}), "online_url"),
        (json!({"resources": ["nonexistent"]}), "resources"),
        (json!({"kind": "picnic"}), "kind"),
        (json!({"languages": ["English"]}), "languages"),
        (json!({"organizers": [{"name": " "}]}), "organizers.0.name"),
        (json!({"organizers": [{"name": "ICC", "url": "ftp://icc"}]}), "organizers.0.url"),
    ];
    for (change, field) in cases {
        let mut body = hearing();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let res = app.api_post(&token, "/api/v1/events", &body).await;
        assert_eq!(res.status(), 422, "{change}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{change}: {problem}");
    }
    let all: Value = app.get("/api/v1/events?from=2000-01-01").await.json().await.unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_agenda_shows_each_time_in_the_event_zone_and_the_reader_s_with_banners() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let e: Value = app.api_post(&token, "/api/v1/events", &hearing()).await.json().await.unwrap();
    let id = e["id"].as_str().unwrap();
    let page = app.get("/agenda?lang=en").await.text().await.unwrap().replace("&#x2f;", "/");
    assert!(page.contains("Trial hearing in the Said case"));
    assert!(page.contains("2027-03-04 09:30 – 2027-03-04 16:30") && page.contains("(Europe/Amsterdam)"));
    // a reader in Bogotá chooses her zone once: kept in a cookie
    let res = app.get("/agenda?tz=America/Bogota").await;
    assert!(res.headers()["set-cookie"].to_str().unwrap().starts_with("tz=America%2FBogota"));
    let page = res.text().await.unwrap().replace("&#x2f;", "/");
    assert!(page.contains("2027-03-04 03:30 – 2027-03-04 10:30") && page.contains("(America/Bogota)"));
    let event = app.get(&format!("/e/{id}")).await.text().await.unwrap().replace("&#x2f;", "/");
    assert!(event.contains("2027-03-04 03:30"), "the cookie is read on the event page too");
    assert!(event.contains("ICC-01/14-01/21") && event.contains("The Hague"));

    // postponed: a banner says so and what the start was; cancelled: struck through, still listed
    app.api_patch(
        &token,
        &format!("/api/v1/events/{id}"),
        &json!({"status": "postponed", "start": "2027-04-08T09:30", "end": "2027-04-08T16:30"}),
    )
    .await;
    let page = app.get("/agenda?lang=fr").await.text().await.unwrap().replace("&#x2f;", "/");
    assert!(page.contains("Reporté") || page.contains("reporté"), "{page}");
    assert!(page.contains(r#"prévu le <bdi dir="ltr">2027-03-04 09:30</bdi>"#));
    app.api_patch(&token, &format!("/api/v1/events/{id}"), &json!({"status": "cancelled"})).await;
    let page = app.get("/agenda?lang=ar").await.text().await.unwrap().replace("&#x2f;", "/");
    assert!(page.contains("<s>Trial hearing in the Said case</s>") && page.contains(r#"dir="rtl""#));
    assert_eq!(app.get("/e/nothing").await.status(), 404);
}

/// The `icalendar` library's reading of a calendar (`tests/tools/ics_check.py`), with the
/// Python `.ci/test-tools` installs; `None` outside CI without it.
fn parse_ics(body: &str) -> Option<Value> {
    let python = match std::env::var("AMICUS_TOOLS_PYTHON").ok().filter(|p| !p.is_empty()) {
        Some(p) => p,
        None if std::env::var("CI").is_ok() => panic!("CI must set AMICUS_TOOLS_PYTHON (.ci/test-tools)"),
        None => {
            eprintln!("icalendar not configured: the calendars are checked here only");
            return None;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agenda.ics");
    std::fs::write(&path, body).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/ics_check.py");
    let out = std::process::Command::new(python).arg(script).arg(&path).output().unwrap();
    assert!(out.status.success(), "icalendar refused it: {}\n{body}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[tokio::test]
async fn calendars_are_valid_icalendar_with_stable_uids_sequences_and_cancellations() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let mut body = hearing();
    body["translations"]["en"]["title"] = json!(format!("Trial hearing, long title; {}", "with many words ".repeat(8)));
    body["translations"]["ar"] = json!({"title": "جلسة محاكمة في قضية سعيد أمام المحكمة الجنائية الدولية في لاهاي"});
    let e: Value = app.api_post(&token, "/api/v1/events", &body).await.json().await.unwrap();
    let id = e["id"].as_str().unwrap();
    let day = json!({"org": "redress", "kind": "deadline", "original_language": "en",
        "translations": {"en": {"title": "Submissions due"}}, "start": "2027-05-10", "all_day": true, "timezone": "America/Bogota"});
    assert_eq!(app.api_post(&token, "/api/v1/events", &day).await.status(), 201);
    app.api_patch(&token, &format!("/api/v1/events/{id}"), &json!({"status": "cancelled"})).await;

    let res = app.get(&format!("/e/{id}.ics?lang=ar")).await;
    assert_eq!(res.headers()["content-type"], "text/calendar; charset=utf-8");
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let one = res.text().await.unwrap();
    assert!(one.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Amsterdam\r\n"));
    assert!(one.contains("STATUS:CANCELLED") && one.contains("SEQUENCE:1"));
    // asked again unchanged: 304
    let again =
        app.client.get(app.url(&format!("/e/{id}.ics?lang=ar"))).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status(), 304);

    // the agenda's query string filters its calendar too
    let deadlines = app.get("/agenda.ics?kind=deadline").await.text().await.unwrap();
    assert_eq!(deadlines.matches("BEGIN:VEVENT").count(), 1);
    let page = app.get("/agenda?kind=deadline&tz=UTC").await.text().await.unwrap();
    assert!(page.contains("Submissions due") && !page.contains("Trial hearing, long title"));
    assert!(page.contains("agenda.ics?kind=deadline&amp;lang="), "the page's calendar link keeps its filters");
    assert_eq!(app.get("/agenda?kind=picnic").await.status(), 422);
    let all = app.get("/agenda.ics?lang=en").await.text().await.unwrap();
    let org = app.get("/orgs/redress/agenda.ics").await.text().await.unwrap();
    assert_eq!(all.matches("BEGIN:VEVENT").count(), 2);
    assert_eq!(org.matches("BEGIN:VEVENT").count(), 2);
    if let Some(parsed) = parse_ics(&one) {
        let ev = &parsed["events"][0];
        assert_eq!(ev["uid"], e["ap_id"]);
        assert_eq!(ev["status"], "CANCELLED");
        assert_eq!(ev["summary"], "جلسة محاكمة في قضية سعيد أمام المحكمة الجنائية الدولية في لاهاي");
        assert_eq!(ev["start"], "2027-03-04T08:30:00+00:00");
        assert_eq!(ev["rrule"], "FREQ=WEEKLY;COUNT=4");
        assert!(ev["location"].as_str().unwrap().contains("The Hague"));
    }
    if let Some(parsed) = parse_ics(&all) {
        let events = parsed["events"].as_array().unwrap();
        let deadline = events.iter().find(|e| e["summary"] == "Submissions due").unwrap();
        assert_eq!((deadline["start"].as_str(), deadline["end"].as_str()), (Some("2027-05-10"), Some("2027-05-11")));
        assert!(events
            .iter()
            .any(|e| e["summary"].as_str().unwrap().starts_with("Trial hearing, long title; with many")));
        assert_eq!(parsed["zones"], json!(["Europe/Amsterdam"]));
    }
}

#[tokio::test]
async fn month_day_and_past_views_with_filters_and_their_counts() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    // a weekly hearing (4 Thursdays from 4 March 2027) and a UN session on the 10th
    let hearing: Value = app.api_post(&token, "/api/v1/events", &hearing()).await.json().await.unwrap();
    let mut session = hearing_like("HRC 55th session", "hrc-regular-session", "2027-03-10T10:00", "2027-03-10T18:00");
    session["mechanisms"] = json!(["un-hrc"]);
    session["translations"]["fr"] = json!({"title": "55e session du CDH"});
    let session: Value = app.api_post(&token, "/api/v1/events", &session).await.json().await.unwrap();
    assert!(session["id"].is_string(), "{session}");

    let month = app.get("/agenda?view=month&from=2027-03-01&lang=en&tz=Europe/Amsterdam").await.text().await.unwrap();
    assert!(month.contains("<table class=\"month\"") && month.contains("March 2027"), "{month}");
    // every occurrence of the weekly hearing has its day; the session its own
    for day in ["2027-03-04", "2027-03-11", "2027-03-18", "2027-03-25", "2027-03-10"] {
        let cell = month.split(&format!("from={day}\"")).nth(1).unwrap().split("</td>").next().unwrap();
        assert!(cell.contains("/e/"), "{day} is empty: {cell}");
    }
    let eleventh = month.split("from=2027-03-11\"").nth(1).unwrap().split("</td>").next().unwrap();
    assert!(eleventh.contains("09:30") && eleventh.contains("Trial hearing"), "{eleventh}");
    // months away link to each other; April still has nothing but its days
    assert!(month.contains("view=month&amp;from=2027-02-01") && month.contains("view=month&amp;from=2027-04-01"));

    // the day view, in the reader's zone: in Tokyo the 9:30 hearing is late on the 11th
    let day = app.get("/agenda?view=day&from=2027-03-11&tz=Asia/Tokyo&lang=en").await.text().await.unwrap();
    assert!(day.contains("Trial hearing") && day.contains("2027-03-11 17:30"), "{day}");
    assert!(day.contains("2027-03-11 09:30 – 2027-03-11 16:30"), "the occurrence, in the event's own zone: {day}");
    let day = app.get("/agenda?view=day&from=2027-03-12&lang=en&tz=UTC").await.text().await.unwrap();
    assert!(!day.contains("Trial hearing in") && day.contains("Nothing happens on this day."), "{day}");
    assert!(
        day.contains("(no events)") && !day.contains("kind=hearing-trial"),
        "the day's counts are the day's: {day}"
    );

    // filters with their counts: kind and mechanism narrow the month
    let filtered =
        app.get("/agenda?view=month&from=2027-03-01&kind=hrc-regular-session&lang=en").await.text().await.unwrap();
    assert!(filtered.contains("HRC 55th session") && !filtered.contains("Trial hearing"));
    let all = app.get("/agenda?lang=en").await.text().await.unwrap();
    assert!(all.contains("id=\"facet-kind\"") && all.contains("id=\"facet-mechanism\""));
    assert!(all.contains("(2 events)"), "{all}");
    let french = app.get("/agenda?language=fr&lang=en").await.text().await.unwrap();
    assert!(french.contains("HRC 55th session") && !french.contains("Trial hearing"));
    let words = app.get("/agenda?q=ICC-01/14&lang=en").await.text().await.unwrap();
    assert!(words.contains("Trial hearing") && !words.contains("HRC 55th session"));
    let partners = app.get("/agenda?origin=partners&lang=en").await.text().await.unwrap();
    assert!(partners.contains("Nothing is scheduled yet."));

    // past events: none until the hearing has happened; an event of last year is there
    let old = hearing_like("Status conference", "hearing-status-conference", "2026-02-02T10:00", "2026-02-02T12:00");
    let res = app.api_post(&token, "/api/v1/events", &old).await;
    assert_eq!(res.status(), 201);
    let past = app.get("/agenda?past=1&lang=en").await.text().await.unwrap();
    assert!(past.contains("Status conference") && !past.contains("Trial hearing"), "{past}");
    let upcoming = app.get("/agenda?lang=en").await.text().await.unwrap();
    assert!(!upcoming.contains("Status conference"));
    // the API filters the same way
    let api: Value = app.get("/api/v1/events?q=ICC-01/14").await.json().await.unwrap();
    assert_eq!(api["items"].as_array().unwrap().len(), 1);
    assert_eq!(api["items"][0]["id"], hearing["id"]);
    assert_eq!(app.get("/api/v1/events?origin=elsewhere").await.status(), 422);
    // a weekly series still running is listed even after its first meeting ended
    let later: Value = app.get("/api/v1/events?from=2027-03-20").await.json().await.unwrap();
    assert!(later["items"].as_array().unwrap().iter().any(|e| e["id"] == hearing["id"]));
}

fn hearing_like(title: &str, kind: &str, start: &str, end: &str) -> Value {
    json!({"org": "redress", "kind": kind, "original_language": "en",
        "translations": {"en": {"title": title}},
        "start": start, "end": end, "timezone": "Europe/Zurich"})
}

/// Reads Server-Sent Events from `res` until `want` messages have come (or 10 s pass).
pub async fn sse_messages(res: reqwest::Response, want: usize) -> Vec<(String, Value)> {
    use futures_util::StreamExt;
    let mut stream = res.bytes_stream();
    let mut buf = String::new();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while out.len() < want {
        let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline, stream.next()).await else { break };
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let event = block.lines().find_map(|l| l.strip_prefix("event: ")).unwrap_or("message").to_string();
            let data = block.lines().find_map(|l| l.strip_prefix("data: "));
            if let Some(data) = data {
                out.push((event, serde_json::from_str(data).unwrap()));
            }
        }
    }
    out
}

/// Waits until `app` hears every node's changes (its PostgreSQL LISTEN has started).
pub async fn listening_now(app: &TestApp) {
    for _ in 0..200 {
        if app.ctx.live.hears_all_nodes(app.ctx.db.is_postgres()) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the node never started listening for changes");
}

#[tokio::test]
async fn changes_reach_open_agendas_as_server_sent_events() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let res = app.get("/agenda/live").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let listening = tokio::spawn(sse_messages(res, 4));
    // with PostgreSQL the node hears its own NOTIFY once its LISTEN has started
    listening_now(&app).await;
    let e: Value = app.api_post(&token, "/api/v1/events", &hearing()).await.json().await.unwrap();
    let id = e["id"].as_str().unwrap();
    let path = format!("/api/v1/events/{id}");
    app.api_patch(
        &token,
        &path,
        &json!({"status": "postponed", "start": "2027-04-08T09:30", "end": "2027-04-08T16:30"}),
    )
    .await;
    app.api_patch(&token, &path, &json!({"status": "cancelled"})).await;
    app.client.delete(app.url(&path)).bearer_auth(&token).send().await.unwrap();
    let got = listening.await.unwrap();
    let said: Vec<(&str, &str, &str)> = got
        .iter()
        .map(|(ev, v)| {
            assert_eq!(ev, "change");
            assert_eq!(v["id"], id);
            (ev.as_str(), v["change"].as_str().unwrap(), v["status"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        said,
        [
            ("change", "created", "scheduled"),
            ("change", "postponed", "postponed"),
            ("change", "cancelled", "cancelled"),
            ("change", "deleted", "")
        ]
    );
}

/// Two nodes on one PostgreSQL: a page open on one hears of a change made on the other,
/// without sticky sessions (LISTEN/NOTIFY).
#[tokio::test]
#[ignore = "needs PostgreSQL (AMICUS_TEST_POSTGRES)"]
async fn with_postgres_a_change_on_one_node_reaches_a_page_open_on_another() {
    let server = crate::helpers::postgres_server().expect("this test needs PostgreSQL: set AMICUS_TEST_POSTGRES");
    let pg = crate::helpers::PgDatabase::create(&server).await;
    let url = pg.url.clone();
    let one = TestApp::spawn_on(Some(pg), |_| {}).await;
    let two = TestApp::spawn_on(None, |c| c.database_url = url.clone()).await;
    let token = one.org_with_editor("redress", "amina").await;
    let listening = tokio::spawn(sse_messages(two.get("/agenda/live").await, 1));
    listening_now(&two).await;
    let e: Value = one.api_post(&token, "/api/v1/events", &hearing()).await.json().await.unwrap();
    let got = listening.await.unwrap();
    assert_eq!(got.len(), 1, "the other node heard nothing");
    assert_eq!(got[0].1["id"], e["id"]);
}

#[tokio::test]
async fn events_are_found_by_the_library_search_and_the_agenda_is_a_feed() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let mut e = hearing();
    e["translations"]["ar"] = json!({"title": "جلسة المحاكمة في قضية سعيد"});
    e["translations"]["fr"] = json!({"title": "Audience de l’affaire Saïd : témoins"});
    let e: Value = app.api_post(&token, "/api/v1/events", &e).await.json().await.unwrap();
    app.post_resource(&token, &resource("redress", "Briefing note on the Said case")).await;

    // one search box: the event is listed, typed, beside the resources
    for q in ["ICC-01%2F14-01%2F21", "temoins", "%D8%B3%D8%B9%D9%8A%D8%AF", "said"] {
        let page = app.get(&format!("/library?q={q}&lang=en")).await.text().await.unwrap().replace("&#x2f;", "/");
        let events = page.split("id=\"events-h\"").nth(1).unwrap_or_else(|| panic!("no events for {q}: {page}"));
        assert!(events.contains(&format!("/e/{}", e["id"].as_str().unwrap())) && events.contains("Event"), "{q}");
    }
    let page = app.get("/library?q=reparations&lang=en").await.text().await.unwrap();
    assert!(!page.contains("id=\"events-h\""), "nothing typed as an event when none matches");

    // RSS and Atom of the agenda, with its filters, each entry saying when and where
    let rss = app.get("/agenda/feed.rss?mechanism=icc&lang=fr").await;
    assert!(rss.headers()["content-type"].to_str().unwrap().starts_with("application/rss+xml"));
    let rss = rss.text().await.unwrap().replace("&#x2f;", "/");
    assert!(rss.contains("<title>Audience de l’affaire Saïd : témoins</title>"), "{rss}");
    assert!(rss.contains("4 mars 2027, 09:30–16:30 (Europe/Amsterdam)"), "{rss}");
    let atom = app.get("/agenda/feed.atom?kind=deadline&lang=en").await.text().await.unwrap();
    assert!(atom.contains("<feed") && !atom.contains("<entry"), "{atom}");
    let atom = app.get("/agenda/feed.atom?lang=en").await.text().await.unwrap().replace("&#x2f;", "/");
    assert!(atom.contains("<entry") && atom.contains("/agenda/feed.atom?lang=en"), "{atom}");
    assert_eq!(app.get("/agenda/feed.rss?kind=nothing").await.status(), 422);
}

#[tokio::test]
async fn a_cancelled_event_can_still_be_corrected_and_its_calendar_stays_whole() {
    let app = TestApp::spawn().await;
    let token = app.org_with_editor("redress", "amina").await;
    let e: Value = app.api_post(&token, "/api/v1/events", &hearing()).await.json().await.unwrap();
    let path = format!("/api/v1/events/{}", e["id"].as_str().unwrap());
    app.api_patch(&token, &path, &json!({"status": "cancelled"})).await;
    // corrected after its cancellation: still cancelled, one more change for calendars
    let res = app
        .api_patch(
            &token,
            &path,
            &json!({"translations": {"en": {"title": "Trial hearing (cancelled by the chamber)"}}}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let after: Value = res.json().await.unwrap();
    assert_eq!((after["status"].as_str(), after["sequence"].as_i64()), (Some("cancelled"), Some(2)));
    let ics = app.get(&format!("/e/{}.ics", e["id"].as_str().unwrap())).await.text().await.unwrap();
    assert!(
        ics.contains("STATUS:CANCELLED") && ics.contains("SEQUENCE:2") && ics.ends_with("END:VCALENDAR\r\n"),
        "{ics}"
    );
    // a bad correction of it is refused and changes nothing
    let res = app.api_patch(&token, &path, &json!({"end": "2020-01-01T00:00"})).await;
    assert_eq!(res.status(), 422);
    let now: Value = app.api_get(&token, &path).await.json().await.unwrap();
    assert_eq!(now["sequence"], 2);
}

#[tokio::test]
async fn editors_add_translate_postpone_and_delete_events_in_the_browser() {
    let app = TestApp::spawn().await;
    app.org_with_editor("redress", "amina").await;
    let b = TestApp::client_of(&app);
    assert_eq!(b.get_response("/agenda/new").await.status(), 401, "signed out: the login page");
    b.login_as("amina", crate::helpers::PASSWORD).await;
    assert!(b.get("/agenda?lang=en").await.contains("href=\"/agenda/new\""), "editors see where to add one");
    let form = b.get("/agenda/new?lang=en").await;
    assert!(form.contains("name=\"timezone\"") && form.contains("name=\"kind\""));

    let fields = [
        ("org", "redress"),
        ("original_language", "en"),
        ("title", "Trial hearing"),
        ("summary", "Witnesses."),
        ("description", "The hearing is **public**."),
        ("start", "2027-03-04T09:30"),
        ("end", "2027-03-04T16:30"),
        ("timezone", "Europe/Amsterdam"),
        ("status", "scheduled"),
        ("kind", "hearing-trial"),
        ("place_name", "International Criminal Court"),
        ("place_locality", "The Hague"),
        ("place_country", "nl"),
        ("case_number", "ICC-01/14-01/21"),
        ("mechanisms", "icc"),
        ("themes", "war-crimes"),
        ("languages", "en, fr"),
        ("interpretation", "ar"),
        ("accessibility", "Captions in English."),
        ("organizers", "International Criminal Court | https://www.icc-cpi.int/\nVictims' lawyers"),
    ];
    // a mistake comes back with everything typed, and the field named
    let mut bad = fields.to_vec();
    bad.retain(|(k, _)| *k != "end");
    bad.push(("end", "2027-03-03T16:30"));
    let res = b.post("/agenda/new?lang=en", &bad).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("href=\"#f-end\"")
            && page.contains("value=\"Trial hearing\"")
            && page.contains("The hearing is **public**.")
    );

    let res = b.post("/agenda/new", &fields).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let uid = location.trim_start_matches("/e/").split('?').next().unwrap().to_string();
    let e: Value = app.get(&format!("/api/v1/events/{uid}")).await.json().await.unwrap();
    assert_eq!((e["start"].as_str(), e["timezone"].as_str()), (Some("2027-03-04T09:30"), Some("Europe/Amsterdam")));
    assert_eq!(e["mechanisms"], json!(["icc"]));
    assert_eq!(e["case"]["number"], "ICC-01/14-01/21");
    assert_eq!((e["languages"].clone(), e["interpretation"].clone()), (json!(["en", "fr"]), json!(["ar"])), "{e}");
    assert_eq!(e["organizers"][1], json!({"name": "Victims' lawyers"}));
    let shown = b.get(&format!("/e/{uid}?lang=en")).await;
    assert!(shown.contains("Captions in English.") && shown.contains("International Criminal Court"), "{shown}");
    assert!(b.get(&format!("/e/{uid}?lang=en")).await.contains(&format!("href=\"/e/{uid}/edit\"")));

    // a French text, then a postponement: the other fields stay as they were
    let edit = b.get(&format!("/e/{uid}/edit?text=fr")).await;
    assert!(edit.contains("name=\"text_lang\" value=\"fr\""));
    let mut fr: Vec<(&str, &str)> =
        fields.iter().filter(|(k, _)| !["title", "summary", "description"].contains(k)).copied().collect();
    fr.extend([("text_lang", "fr"), ("title", "Audience du procès"), ("summary", ""), ("description", "")]);
    assert_eq!(b.post(&format!("/e/{uid}/edit"), &fr).await.status(), 303);
    let mut later: Vec<(&str, &str)> =
        fr.iter().filter(|(k, _)| !["start", "end", "status"].contains(k)).copied().collect();
    later.extend([("start", "2027-04-08T09:30"), ("end", "2027-04-08T16:30"), ("status", "postponed")]);
    assert_eq!(b.post(&format!("/e/{uid}/edit"), &later).await.status(), 303);
    let e: Value = app.get(&format!("/api/v1/events/{uid}")).await.json().await.unwrap();
    assert_eq!(e["translations"]["fr"]["title"], "Audience du procès");
    assert_eq!(e["translations"]["en"]["title"], "Trial hearing");
    assert_eq!(e["translations"]["en"]["accessibility"], "Captions in English.", "the English notes stay");
    assert_eq!((e["status"].as_str(), e["previous_start"].as_str()), (Some("postponed"), Some("2027-03-04T09:30")));

    // someone else's event cannot be edited; deleting asks first
    app.org_with_editor("other", "omar").await;
    let o = TestApp::client_of(&app);
    o.login_as("omar", crate::helpers::PASSWORD).await;
    assert_eq!(o.get_response(&format!("/e/{uid}/edit")).await.status(), 403);
    assert!(b.get(&format!("/e/{uid}/delete?lang=en")).await.contains("Delete this event for good?"));
    let res = b.post(&format!("/e/{uid}/delete"), &[("confirmed", "1")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.get(&format!("/e/{uid}")).await.status(), 404);
}
