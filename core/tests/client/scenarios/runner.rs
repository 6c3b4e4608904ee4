//! One scenario's run: its clients, subscriptions, tamper proxies and variables,
//! and each operation of `tests/scenarios/README.md` done with this client, its
//! result as JSON.

use std::collections::HashMap;
use std::time::Duration;

use kimberlite::{
    Client, ConnectOptions, DataClass, Offset, Placement, StreamId, SubscribeOptions, Subscription,
    TenantId, Value,
};
use kimberlite_testkit::{Mode, ProxyConfig, TamperProxy};
use serde_json::{json, Map, Value as Json};
use time::format_description::well_known::Rfc3339;

/// Objects match when every expected key matches; arrays element by element.
fn matches(expected: &Json, actual: &Json) -> bool {
    match (expected, actual) {
        (Json::Object(want), Json::Object(got)) => want
            .iter()
            .all(|(key, value)| got.get(key).is_some_and(|item| matches(value, item))),
        (Json::Array(want), Json::Array(got)) => {
            want.len() == got.len() && want.iter().zip(got).all(|(w, g)| matches(w, g))
        }
        _ => expected == actual,
    }
}

/// A SQL value as JSON (integers, text, booleans and NULL are what scenarios use).
fn sql_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::BigInt(number) | Value::Timestamp(number) => json!(number),
        Value::Text(text) => json!(text),
        Value::Boolean(flag) => json!(flag),
        other => json!(format!("{other:?}")),
    }
}

fn sql_param(value: &Json) -> Value {
    match value {
        Json::Null => Value::Null,
        Json::Bool(flag) => Value::Boolean(*flag),
        Json::Number(number) => Value::BigInt(number.as_i64().unwrap()),
        Json::String(text) => Value::Text(text.clone()),
        other => panic!("no SQL value for {other}"),
    }
}

/// Why a step failed: the client's error (compared with an expected code) or else.
enum Failure {
    Client(kimberlite::Error),
    Other(String),
}

impl From<kimberlite::Error> for Failure {
    fn from(error: kimberlite::Error) -> Self {
        Self::Client(error)
    }
}

pub struct Runner {
    address: String,
    variables: Map<String, Json>,
    clients: HashMap<String, Client>,
    subscriptions: HashMap<String, Subscription>,
    proxies: Vec<TamperProxy>,
}

impl Runner {
    /// A runner against the server at `address`, with the runner's variables set.
    pub fn new(address: String, variables: Map<String, Json>) -> Self {
        Self {
            address,
            variables,
            clients: HashMap::new(),
            subscriptions: HashMap::new(),
            proxies: Vec::new(),
        }
    }

    fn resolve(&self, value: &Json) -> Result<Json, String> {
        let lookup = |name: &str| {
            self.variables
                .get(name)
                .cloned()
                .ok_or_else(|| format!("unknown variable ${name}"))
        };
        Ok(match value {
            Json::String(text) => {
                if let Some(name) = text.strip_prefix('$').filter(|name| is_name(name)) {
                    return lookup(name);
                }
                let mut out = String::new();
                let mut rest = text.as_str();
                while let Some(start) = rest.find("${") {
                    let end = rest[start..].find('}').ok_or("unclosed ${")? + start;
                    out.push_str(&rest[..start]);
                    match lookup(&rest[start + 2..end])? {
                        Json::String(inner) => out.push_str(&inner),
                        other => out.push_str(&other.to_string()),
                    }
                    rest = &rest[end + 1..];
                }
                out.push_str(rest);
                Json::String(out)
            }
            Json::Array(items) => Json::Array(
                items
                    .iter()
                    .map(|item| self.resolve(item))
                    .collect::<Result<_, _>>()?,
            ),
            Json::Object(fields) => Json::Object(
                fields
                    .iter()
                    .map(|(key, item)| Ok((key.clone(), self.resolve(item)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => other.clone(),
        })
    }

    /// Runs the steps in order; the first that fails ends the run with its reason.
    pub async fn run(&mut self, steps: &[Json]) -> Result<(), String> {
        for (index, step) in steps.iter().enumerate() {
            let op = step["op"].as_str().unwrap_or_default();
            let at = format!("step {} ({op})", index + 1);
            let args = self.resolve(step.get("args").unwrap_or(&json!({})))?;
            let expect = self.resolve(step.get("expect").unwrap_or(&json!({})))?;
            let wanted_error = expect.get("error");
            let result = match self.call(op, &args).await {
                Ok(result) => result,
                Err(Failure::Other(message)) => return Err(format!("{at}: {message}")),
                Err(Failure::Client(error)) => {
                    let name = error.code().name();
                    let allowed = match wanted_error {
                        Some(Json::Array(names)) => names.iter().any(|n| n == name),
                        Some(one) => one == name,
                        None => false,
                    };
                    if !allowed {
                        let wanted = wanted_error.map_or("success".to_owned(), Json::to_string);
                        return Err(format!("{at}: {name}: {error} (expected {wanted})"));
                    }
                    continue;
                }
            };
            if let Some(wanted) = wanted_error {
                return Err(format!("{at}: succeeded with {result}, expected {wanted}"));
            }
            if let Some(wanted) = expect.get("result") {
                if !matches(wanted, &result) {
                    return Err(format!("{at}: got {result}, expected {wanted}"));
                }
            }
            match step.get("save") {
                Some(Json::String(name)) => {
                    self.variables.insert(name.clone(), result);
                }
                Some(Json::Object(fields)) => {
                    for (name, field) in fields {
                        let value = result[field.as_str().unwrap_or_default()].clone();
                        self.variables.insert(name.clone(), value);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    async fn call(&mut self, op: &str, args: &Json) -> Result<Json, Failure> {
        let name = args["client"].as_str().unwrap_or("main").to_owned();
        match op {
            "connect" => {
                let tenant = TenantId(args["tenant"].as_u64().unwrap_or_default());
                let mut options = ConnectOptions::new(tenant).request_timeout(SECONDS_20);
                if let Some(token) = args["token"].as_str() {
                    options = options.auth_token(token);
                }
                let address = args["address"].as_str().unwrap_or(&self.address);
                let client = Client::connect(address, options).await?;
                self.clients.insert(name, client);
                Ok(Json::Null)
            }
            "close" => {
                self.clients.remove(&name);
                Ok(Json::Null)
            }
            "clock" => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let now = time::OffsetDateTime::now_utc();
                tokio::time::sleep(Duration::from_millis(20)).await;
                // Whole milliseconds, as the other runners write it.
                let millis = now
                    .replace_nanosecond(u32::from(now.millisecond()) * 1_000_000)
                    .unwrap();
                Ok(json!(millis.format(&Rfc3339).unwrap()))
            }
            "start_proxy" => self.start_proxy(args).await.map_err(Failure::Other),
            "next_events" => {
                let key = args["subscription"].as_str().unwrap_or_default();
                let subscription = self.subscriptions.get_mut(key).unwrap();
                let mut events = Vec::new();
                for _ in 0..args["count"].as_u64().unwrap_or_default() {
                    let event = subscription.next().await?.ok_or_else(|| {
                        Failure::Other(format!("the subscription ended after {}", events.len()))
                    })?;
                    let payload = String::from_utf8_lossy(&event.payload);
                    events.push(json!({"offset": event.offset.0, "payload": payload}));
                }
                Ok(Json::Array(events))
            }
            "unsubscribe" => {
                let key = args["subscription"].as_str().unwrap_or_default();
                self.subscriptions.remove(key).unwrap().cancel().await?;
                Ok(Json::Null)
            }
            _ => {
                let client = self.clients.get(&name).cloned();
                let client = client.ok_or_else(|| Failure::Other(format!("no client {name}")))?;
                self.client_call(&client, op, args).await
            }
        }
    }
}

const SECONDS_20: Duration = Duration::from_secs(20);

fn is_name(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Runner {
    async fn client_call(
        &mut self,
        client: &Client,
        op: &str,
        args: &Json,
    ) -> Result<Json, Failure> {
        let number = |key: &str| args[key].as_u64().unwrap_or_default();
        let text = |key: &str| args[key].as_str().unwrap_or_default().to_owned();
        let stream = StreamId(number("stream"));
        let params: Vec<Value> = match args["params"].as_array() {
            Some(params) => params.iter().map(sql_param).collect(),
            None => Vec::new(),
        };
        Ok(match op {
            "create_tenant" => json!(
                client
                    .create_tenant(TenantId(number("tenant")), &text("name"))
                    .await?
                    .0
            ),
            "create_api_key" => {
                let created = client
                    .create_api_key(TenantId(number("tenant")), &text("label"))
                    .await?;
                json!({"key_id": created.key_id, "secret": created.secret})
            }
            "create_stream" => {
                let name = text("name");
                let made = client.create_stream(&name, DataClass::Public, Placement::Global);
                json!(made.await?.0)
            }
            "stream_length" => json!(client.stream_length(stream).await?),
            "append" => {
                let events = args["events"].as_array().map_or_else(Vec::new, |events| {
                    events
                        .iter()
                        .map(|e| e.as_str().unwrap_or_default().as_bytes().to_vec())
                        .collect()
                });
                json!(
                    client
                        .append(stream, events, Offset(number("expected_offset")))
                        .await?
                        .0
                )
            }
            "read" => {
                let read = client.read(stream, Offset(number("from")), 1 << 20).await?;
                let events: Vec<_> = read
                    .events
                    .iter()
                    .map(|e| String::from_utf8_lossy(e))
                    .collect();
                json!({"events": events, "next_offset": read.next_offset.map(|o| o.0)})
            }
            "read_verified" => {
                let read = client
                    .read_verified(stream, Offset(number("from")), 1 << 20)
                    .await?;
                let events: Vec<_> = read
                    .events
                    .iter()
                    .map(|e| json!({"offset": e.offset.0, "payload": String::from_utf8_lossy(&e.payload)}))
                    .collect();
                json!({"events": events, "next_offset": read.next_offset.map(|o| o.0),
                       "checkpoint_size": read.checkpoint.size})
            }
            "checkpoint" => json!({"size": client.checkpoint(stream).await?.size}),
            "subscribe" => {
                let options = SubscribeOptions {
                    credits: args["credits"]
                        .as_u64()
                        .map_or(64, |c| u32::try_from(c).unwrap()),
                    ..SubscribeOptions::default()
                };
                let subscription = client
                    .subscribe_with(stream, Offset(number("from")), options)
                    .await?;
                self.subscriptions
                    .insert(text("subscription"), subscription);
                Json::Null
            }
            "execute" => {
                let done = client.execute(&text("sql"), &params).await?;
                json!({"rows_affected": done.rows_affected, "log_offset": done.log_offset.0})
            }
            "query" | "query_at" => {
                let rows = if op == "query" {
                    client.query(&text("sql"), &params).await?
                } else {
                    client
                        .query_at(&text("sql"), &params, Offset(number("position")))
                        .await?
                };
                let values: Vec<Vec<Json>> = rows
                    .rows
                    .iter()
                    .map(|row| row.iter().map(sql_json).collect())
                    .collect();
                json!({"columns": rows.columns, "rows": values})
            }
            _ => return Err(Failure::Other(format!("unknown operation {op}"))),
        })
    }

    /// Starts the tamper proxy of `kimberlite-testkit` (the library behind the
    /// `kimberlite-tamper-proxy` binary) in front of the server; returns its address.
    async fn start_proxy(&mut self, args: &Json) -> Result<Json, String> {
        let mode = args["mode"].as_str().unwrap_or_default();
        let mode: Mode = mode.parse().map_err(|_| format!("no proxy mode {mode}"))?;
        let mut config = ProxyConfig::new(self.address.as_str(), mode);
        if let Some(fork) = args["fork_upstream"].as_str() {
            config = config.fork_upstream(fork);
        }
        let proxy = TamperProxy::start(config)
            .await
            .map_err(|e| e.to_string())?;
        let address = proxy.address().to_string();
        self.proxies.push(proxy);
        Ok(json!(address))
    }

    /// Stops the scenario's subscriptions and proxies and drops its clients.
    pub async fn close(mut self) {
        for (_, subscription) in self.subscriptions.drain() {
            let _ = subscription.cancel().await;
        }
        self.proxies.clear();
    }
}
