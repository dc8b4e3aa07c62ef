extension AuthenticateRequest {
    public init(secret: String, audience: String = "") {
        self.init()
        self.secret = secret
        self.audience = audience
    }
}
