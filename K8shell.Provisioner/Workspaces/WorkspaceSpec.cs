using K8shell.Provisioner.Blueprints;
using K8shell.UserStrings;

namespace K8shell.Provisioner.Workspaces;

/// <summary>
/// Everything a backend needs to make a workspace, resolved: its name (the canonical ID), the
/// canonical user string it serves, the owner's account, the blueprint after inheritance, and the job
/// that asked for it (a label on what the backend creates).
/// </summary>
public sealed record WorkspaceSpec(string Name, UserString UserString, WorkspaceOwner Owner, Blueprint Blueprint, string JobId);

/// <summary>The owner as Identity knows them: the account the workspace's processes run as.</summary>
public sealed record WorkspaceOwner(string Username, uint Uid, uint Gid, string Shell, string Organization, string Email, string FullName, bool Sudo);
