extension ListRevocationsRequest {
    public init(since: Int64, pageSize: Int32 = 0) {
        self.init()
        self.since = since
        self.pageSize = pageSize
    }
}
