import PurserWire

/// `purser.settlement.v1.ExportReportRequest`.
public struct ExportReportRequest: WireMessage {
    public var kind = ReportKind.unspecified
    public var period = Period()
    public var format = ReportFormat.unspecified
    /// The statement's tenant (kind `statement`).
    public var tenantID = ""
    /// The payout's provider (kind `payout`).
    public var providerID = ""
    public init() {}
    public init(kind: ReportKind, period: Period, format: ReportFormat, tenantID: String = "", providerID: String = "") {
        self.kind = kind
        self.period = period
        self.format = format
        self.tenantID = tenantID
        self.providerID = providerID
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &kind)
        try t.field(2, &period)
        try t.field(3, &format)
        try t.field(4, &tenantID)
        try t.field(5, &providerID)
    }
}

/// `purser.settlement.v1.ExportReportResponse`: the file's bytes, type and name.
public struct ExportReportResponse: WireMessage {
    public var content: [UInt8] = []
    public var contentType = ""
    public var fileName = ""
    public init() {}
    public init(content: [UInt8], contentType: String, fileName: String) {
        self.content = content
        self.contentType = contentType
        self.fileName = fileName
    }
    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &content)
        try t.field(2, &contentType)
        try t.field(3, &fileName)
    }
}
