extension ExportReportResponse {
    public init(content: [UInt8], contentType: String, fileName: String) {
        self.init()
        self.content = content
        self.contentType = contentType
        self.fileName = fileName
    }
}
