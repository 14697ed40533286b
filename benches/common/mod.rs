//! What the benchmarks share: a scratch `amicus serve` (the release binary named by
//! `AMICUS_BIN`) on loopback, with its own data directory and configuration, and its memory.

#![allow(dead_code)]

use std::time::Duration;

pub type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A scratch instance: data directory, configuration file, ports.
pub struct Instance {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub child: Option<std::process::Child>,
}

impl Instance {
    /// Writes the configuration (the sink's host names resolve to loopback) and sets the
    /// environment this process and the server share.
    pub fn new(sink_hosts: &[String]) -> Res<Instance> {
        Instance::named("", sink_hosts)
    }

    /// An instance called `{name}.localhost:{port}` (`localhost:{port}` when `name` is empty),
    /// which resolves `hosts` to loopback.
    pub fn named(name: &str, hosts: &[String]) -> Res<Instance> {
        let dir = tempfile::tempdir()?;
        let port = free_port()?;
        let resolve: Vec<String> = hosts.iter().map(|h| format!("{h}=127.0.0.1")).collect();
        let host = if name.is_empty() { "localhost".to_string() } else { format!("{name}.localhost") };
        let toml = format!(
            "bind = \"127.0.0.1:{port}\"\ndomain = \"{host}:{port}\"\ndata = \"{}\"\ndev_network = true\n\
             inbox_per_minute = 1000000\nresolve = \"{}\"\n",
            dir.path().join("data").display(),
            resolve.join(",")
        );
        let config = dir.path().join("amicus.toml");
        std::fs::write(&config, toml)?;
        std::env::set_var("AMICUS_CONFIG", &config);
        Ok(Instance { dir, port, child: None })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }

    pub async fn start(&mut self) -> Res<()> {
        self.start_without(&[]).await
    }

    /// Starts the server without these environment variables (a second instance that must
    /// not share the first one's `DATABASE_URL`).
    pub async fn start_without(&mut self, removed: &[&str]) -> Res<()> {
        let mut command = std::process::Command::new(bin());
        for name in removed {
            command.env_remove(name);
        }
        let child = command
            .arg("serve")
            .env("AMICUS_CONFIG", self.dir.path().join("amicus.toml"))
            .current_dir(self.dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        self.child = Some(child);
        for _ in 0..100 {
            if reqwest::get(self.url("/healthz")).await.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("the server did not start".into())
    }

    /// Runs an `amicus` command against this instance's configuration; its standard output.
    pub fn cli(&self, args: &[&str], stdin: &str, removed: &[&str]) -> Res<String> {
        use std::io::Write;
        let mut command = std::process::Command::new(bin());
        for name in removed {
            command.env_remove(name);
        }
        let mut child = command
            .args(args)
            .env("AMICUS_CONFIG", self.dir.path().join("amicus.toml"))
            .current_dir(self.dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()?;
        if let Some(mut input) = child.stdin.take() {
            input.write_all(stdin.as_bytes())?;
        }
        let out = child.wait_with_output()?;
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// (current, peak) resident memory of the server in MB.
    pub fn memory(&self) -> (f64, f64) {
        let Some(pid) = self.child.as_ref().map(|c| c.id()) else { return (0.0, 0.0) };
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let kb = |key: &str| {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        (kb("VmRSS:") / 1024.0, kb("VmHWM:") / 1024.0)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub fn free_port() -> Res<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The release binary the benchmarks run.
pub fn bin() -> String {
    std::env::var("AMICUS_BIN").unwrap_or_else(|_| "target/release/amicus".into())
}
