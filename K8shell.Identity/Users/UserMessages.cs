using Google.Protobuf.WellKnownTypes;
using K8shell.Contracts.Identity.V1;

namespace K8shell.Identity.Users;

/// <summary>A user record as the rest of the system sees it (identity.proto <c>User</c>).</summary>
internal static class UserMessages
{
    /// <summary>How long callers may keep a user record before asking again.</summary>
    private static readonly TimeSpan RecordLifetime = TimeSpan.FromMinutes(10);

    public static User ToMessage(this UserRecord user)
    {
        var message = new User
        {
            Username = user.Username,
            Organization = user.Organization,
            IsValid = user.IsValid,
            ExpiresAt = Timestamp.FromDateTime(DateTime.UtcNow + RecordLifetime),
            Uid = user.Uid,
            Gid = user.Gid,
            Fullname = user.Fullname,
            Email = user.Email,
            Locked = user.Locked,
            Source = user.Source,
            Shell = user.Shell,
            Sudo = user.Sudo,
            PublicKeyCount = (uint)user.AuthorizedKeys.Count,
        };
        message.Roles.AddRange(user.Roles);
        message.Blueprints.AddRange(user.Blueprints);
        message.AuthMethods.AddRange(user.AuthMethods);
        return message;
    }
}
