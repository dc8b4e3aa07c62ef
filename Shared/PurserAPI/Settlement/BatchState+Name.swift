extension BatchState {
    /// The state named `open`, `closed` or `paid`.
    public init?(name: String) {
        switch name {
        case "open": self = .open
        case "closed": self = .closed
        case "paid": self = .paid
        default: return nil
        }
    }
}
