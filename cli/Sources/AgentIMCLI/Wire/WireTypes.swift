// The gateway protocol's types come from AgentIMWire, the module the hub's services share;
// re-exported so every file of the CLI (and its tests) sees them.
@_exported import AgentIMWire

// The CLI's names for the shared types.
public typealias JSON = JSONValue
public typealias ServerFrame = ServerToGatewayFrame
public typealias SendToAgent = ServerToGatewayFrame.SendToAgent
public typealias PermissionResponse = ServerToGatewayFrame.PermissionResponse
public typealias AgentCommand = ServerToGatewayFrame.AgentCommand
public typealias SpawnAgent = ServerToGatewayFrame.SpawnAgent
public typealias WorkspaceRequest = ServerToGatewayFrame.WorkspaceRequest
public typealias AddCredential = ServerToGatewayFrame.AddCredential
public typealias ManageCredential = ServerToGatewayFrame.ManageCredential
