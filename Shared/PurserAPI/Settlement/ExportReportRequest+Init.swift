extension ExportReportRequest {
    public init(kind: ReportKind, period: Period, format: ReportFormat, tenantID: String = "", providerID: String = "") {
        self.init()
        self.kind = kind
        self.period = period
        self.format = format
        self.tenantID = tenantID
        self.providerID = providerID
    }
}
