import CLinux
import COpenSSL

/// The OpenSSL version string this module was linked against.
public func openSSLVersion() -> String { String(cString: OpenSSL_version(OPENSSL_VERSION)) }
