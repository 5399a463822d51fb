//! Offline Alipay gateway (OWNER: sandbox helper).
