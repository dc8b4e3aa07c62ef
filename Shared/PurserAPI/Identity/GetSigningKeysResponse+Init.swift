extension GetSigningKeysResponse {
    public init(jwksJSON: String) {
        self.init()
        self.jwksJSON = jwksJSON
    }
}
