/// Request and response types and method descriptors of every Purser service.
///
/// `Generated/<service>.pb.swift` (messages, enums) and
/// `Generated/<service>.methods.pb.swift` are written from `proto/<service>.proto` by
/// `deploy/dev generate` and never edited; the hand-written conveniences are
/// extensions in `<Service>/<Type>+<What>.swift`. See `proto/CONVENTIONS.md`.
public enum PurserAPI {}
