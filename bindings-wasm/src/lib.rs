//! wasm-bindgen surface over alipay-f2f-core (OWNER: wasm helper).
