import Testing

/// Every suite that starts a real Identity (its own database, TLS server and
/// clients) nests here and runs one test at a time: each test stays
/// independent, and the suite never floods the shared machine with dozens of
/// servers and `CREATE DATABASE`s at once while other targets' timing-sensitive
/// tests run beside it.
@Suite("Identity service over TLS and PostgreSQL", .serialized)
struct IdentityIntegrationTests {}
