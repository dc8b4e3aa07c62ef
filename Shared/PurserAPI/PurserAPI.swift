/// Request and response types and method descriptors of every Purser service.
///
/// Each service's types live in `<Service>/` and match `proto/<service>.proto`
/// field for field; see `proto/CONVENTIONS.md`.
public enum PurserAPI {}
