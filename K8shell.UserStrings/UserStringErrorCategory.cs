namespace K8shell.UserStrings;

/// <summary>
/// Why a user string was refused; mirrors the Go sentinels (<c>ErrTooLong</c>, <c>ErrB64UserStrInvalid</c>,
/// <c>ErrUserStrMalformed</c>, <c>ErrUserStrInvalid</c>) so logs and metrics can be compared with the Go proxy.
/// </summary>
public enum UserStringErrorCategory
{
    /// <summary>More than <see cref="UserStringParser.MaxLength"/> characters after base64 decoding.</summary>
    TooLong,

    /// <summary>A <c>b64-</c>/<c>base64-</c> wrapper whose payload is not base64url (no padding) of UTF-8 text.</summary>
    Base64Invalid,

    /// <summary>Broken syntax: empty parts, a missing <c>=</c>, a bad percent escape.</summary>
    Malformed,

    /// <summary>Well-formed but meaningless: an unknown key, a key the form does not allow, a missing pairing.</summary>
    Invalid,
}
