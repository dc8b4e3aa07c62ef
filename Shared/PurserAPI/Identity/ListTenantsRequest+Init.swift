extension ListTenantsRequest {
    public init(pageSize: Int32, pageToken: String = "") {
        self.init()
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
}
