//! Node-API addon over alipay-f2f-core (OWNER: npm/addon helper).
