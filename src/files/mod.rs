//! Files of documents: taken in as they stream (hashed, chunked into PostgreSQL,
//! scanned by clamd), looked inside (what they are, their text), and streamed out.
//! Used by the document use cases and by `web`; no HTTP here.

pub mod clamd;
pub mod inspect;
pub mod pdf;
pub mod store;
