//! `alipay-f2f-sandbox`: serves the offline gateway on 127.0.0.1.
//! See `alipay-f2f-sandbox --help`.

use std::io::Write;
use std::process::ExitCode;

use alipay_f2f_core::keys::PublicKey;
use alipay_f2f_sandbox::cli::{help, parse_args, usage, Command, Options};
use alipay_f2f_sandbox::{Gateway, SandboxServer};

fn main() -> ExitCode {
    let opts = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            print!("{}", help());
            return ExitCode::SUCCESS;
        }
        Ok(Command::Run(opts)) => opts,
        Err(message) => {
            eprintln!("alipay-f2f-sandbox: {message}\n{}", usage());
            return ExitCode::from(2);
        }
    };
    let gateway = match build_gateway(&opts) {
        Ok(g) => g,
        Err(message) => {
            eprintln!("alipay-f2f-sandbox: {message}\n{}", usage());
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("alipay-f2f-sandbox: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(gateway, opts.port))
}

fn build_gateway(opts: &Options) -> Result<Gateway, String> {
    let mut gateway =
        Gateway::new(opts.config.clone()).map_err(|e| format!("invalid configuration: {e}"))?;
    if opts.apps.is_empty() {
        gateway
            .register_demo_app()
            .map_err(|e| format!("demo app key: {e}"))?;
    }
    for (app_id, path) in &opts.apps {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--app {app_id}: cannot read {}: {e}", path.display()))?;
        let key = PublicKey::parse(&text).map_err(|e| {
            format!(
                "--app {app_id}: {} is not a usable public key: {e}",
                path.display()
            )
        })?;
        gateway.register_app(app_id, key);
    }
    Ok(gateway)
}

async fn serve(gateway: Gateway, port: u16) -> ExitCode {
    // Signal handlers are installed before the ready line: a SIGTERM sent as
    // soon as the line is read must still end in a clean exit 0.
    let signals = match Signals::install() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("alipay-f2f-sandbox: cannot install signal handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let server = match SandboxServer::start(gateway, port).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("alipay-f2f-sandbox: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{}", server.ready_line())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);
    signals.wait().await;
    server.shutdown().await;
    ExitCode::SUCCESS
}

/// SIGTERM and SIGINT, registered up front.
#[cfg(unix)]
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}

/// Ctrl-C elsewhere.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn install() -> std::io::Result<Signals> {
        Ok(Signals)
    }

    async fn wait(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
