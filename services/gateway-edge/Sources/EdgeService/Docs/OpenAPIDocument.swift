/// The API contract: the OpenAPI 3.1 document of every REST endpoint the hub serves
/// (http-api.md), served at `GET /api/docs/openapi.json` and rendered at `GET /api/docs`.
///
/// This string is the one copy of the document. It lives in Swift rather than in a SwiftPM
/// resource so it is compiled into the binaries that serve it and cannot go missing at run
/// time: a resource is a bundle that every install must copy next to each executable
/// (`Bundle.module` traps when it is absent), and the JSON stays plain to edit here.
/// `APIContractTests` fails when the hub's routes and these paths differ in either direction,
/// and `Tests/fuzz` drives the hub from it (schemathesis), so an edit here is checked both ways.
public enum OpenAPIDocument {
    public static let json: String = ##"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "AgentIM hub API",
    "version": "1.0.0",
    "description": "Every REST endpoint the hub serves. Success: `{ok:true, data}` (200, or 201 where stated); error: `{ok:false, error}` (a `fields` list on `Validation failed`). `/api/health`, `/api/metrics` and this document are not enveloped. Unknown `/api` paths answer a JSON 404 `Not found`. Every `/api` request counts against the `api` rate limit (120 a minute per IP; half without Redis); with Redis the answers carry `X-RateLimit-Limit` and `X-RateLimit-Remaining`, and a 429 also `Retry-After`. Bodies over 1 MiB (12 MiB for uploads) answer 413. Every answer carries `X-Request-ID`. Messages are sent over the WebSocket only (`/ws/client`)."
  },
  "servers": [
    {"url": "/"}
  ],
  "security": [
    {"bearerAuth": []}
  ],
  "tags": [
    {"name": "Health, metrics and docs"},
    {"name": "Auth"},
    {"name": "OAuth"},
    {"name": "Users"},
    {"name": "Rooms"},
    {"name": "Messages"},
    {"name": "Agents and gateways"},
    {"name": "Tasks"},
    {"name": "Routers"},
    {"name": "Uploads"},
    {"name": "Bookmarks"},
    {"name": "Admin settings"},
    {"name": "Service agents"},
    {"name": "Web Push"},
    {"name": "WebSocket"}
  ],
  "paths": {
    "/api/health": {
      "get": {
        "tags": ["Health, metrics and docs"],
        "summary": "Health of every part of the hub",
        "operationId": "get_api_health",
        "responses": {
          "200": {
            "description": "Every check passed (not enveloped)",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}
          },
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "503": {
            "description": "A check failed (same body)",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}
          }
        },
        "description": "Not enveloped. 503 with the same body when a check fails. Cached 2 s.\n\nAccess: anonymous. Rate-limit buckets: api.",
        "security": []
      }
    },
    "/api/metrics": {
      "get": {
        "tags": ["Health, metrics and docs"],
        "summary": "Prometheus exposition",
        "operationId": "get_api_metrics",
        "responses": {
          "200": {
            "description": "Prometheus text exposition",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {"text/plain": {"schema": {"type": "string"}}}
          },
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "401": {
            "description": "Plain text: `Unauthorized`, `Invalid token type`, `Token has been revoked` or `Invalid or expired token` (only with `metrics.authEnabled`)",
            "content": {"text/plain": {"schema": {"type": "string"}}}
          }
        },
        "description": "Anonymous unless setting `metrics.authEnabled`, then any access token. Its 401 is plain text.\n\nAccess: anonymous. Rate-limit buckets: api.",
        "security": [{}, {"bearerAuth": []}]
      }
    },
    "/api/admin/metrics": {
      "get": {
        "tags": ["Health, metrics and docs"],
        "summary": "The admin dashboard's metrics",
        "operationId": "get_api_admin_metrics",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {
                      "type": "object",
                      "properties": {
                        "connections": {
                          "type": "object",
                          "properties": {
                            "clients": {"type": "integer"},
                            "gateways": {"type": "integer"},
                            "onlineUsers": {"type": "integer"},
                            "connectedAgents": {"type": "integer"}
                          },
                          "required": ["clients", "gateways", "onlineUsers", "connectedAgents"]
                        },
                        "process": {
                          "type": "object",
                          "properties": {
                            "uptimeSeconds": {"type": "number"},
                            "heapUsedBytes": {"type": "number"},
                            "rssBytes": {"type": "number"}
                          },
                          "required": ["uptimeSeconds", "heapUsedBytes", "rssBytes"]
                        },
                        "infrastructure": {
                          "type": "object",
                          "properties": {"redisEnabled": {"type": "boolean"}},
                          "required": ["redisEnabled"]
                        },
                        "activity": {
                          "type": "object",
                          "properties": {
                            "messagesTotal": {"type": "object", "properties": {}, "additionalProperties": {"type": "number"}},
                            "activeRooms": {"type": "integer"}
                          },
                          "required": ["messagesTotal", "activeRooms"]
                        },
                        "performance": {
                          "type": "object",
                          "properties": {
                            "agentResponse": {"$ref": "#/components/schemas/AgentResponse"},
                            "httpRequest": {"$ref": "#/components/schemas/AgentResponse"}
                          },
                          "required": ["agentResponse", "httpRequest"]
                        },
                        "timestamp": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"}
                      },
                      "required": ["connections", "process", "infrastructure", "activity", "performance", "timestamp"]
                    }
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `Forbidden`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Admin only (role read fresh); a non-admin gets 403 `Forbidden`.\n\nAccess: user. Rate-limit buckets: api."
      }
    },
    "/api/docs/openapi.json": {
      "get": {
        "tags": ["Health, metrics and docs"],
        "summary": "This document (OpenAPI 3.1)",
        "operationId": "get_api_docs_openapi_json",
        "responses": {
          "200": {
            "description": "The OpenAPI document (not enveloped)",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "paths"]}}}
          },
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: anonymous. Rate-limit buckets: api.",
        "security": []
      }
    },
    "/api/docs": {
      "get": {
        "tags": ["Health, metrics and docs"],
        "summary": "This document as a web page",
        "operationId": "get_api_docs",
        "responses": {
          "200": {
            "description": "A self-contained HTML page listing every operation",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {"text/html": {"schema": {"type": "string"}}}
          },
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: anonymous. Rate-limit buckets: api.",
        "security": []
      }
    },
    "/api/auth/login": {
      "post": {
        "tags": ["Auth"],
        "summary": "Log in with username and password",
        "operationId": "post_api_auth_login",
        "responses": {
          "200": {"$ref": "#/components/responses/OkLoginResult"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`"
          },
          "401": {"$ref": "#/components/responses/Error", "description": "Unauthorized: `Invalid credentials`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Unknown user, wrong password, locked account (5 failures lock for 15 min) and password-less accounts all answer 401 `Invalid credentials`.\n\nAccess: anonymous. Rate-limit buckets: api, auth.",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {"username": {"type": "string", "minLength": 1}, "password": {"type": "string", "minLength": 1}},
                "required": ["username", "password"]
              }
            }
          }
        }
      }
    },
    "/api/auth/refresh": {
      "post": {
        "tags": ["Auth"],
        "summary": "Rotate the refresh token for a new access token",
        "operationId": "post_api_auth_refresh",
        "responses": {
          "200": {
            "description": "Cookie path: `{accessToken}`; body path: `{accessToken, refreshToken}`. A new `agentim_rt` cookie either way",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"},
              "Set-Cookie": {"description": "The rotated `agentim_rt` cookie", "schema": {"type": "string"}}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {
                      "type": "object",
                      "properties": {"accessToken": {"type": "string"}, "refreshToken": {"type": "string"}},
                      "required": ["accessToken"]
                    }
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Never sent for a bad body (treated as no token); kept for the JSON parser's `Invalid JSON body`"
          },
          "401": {
            "$ref": "#/components/responses/Error",
            "description": "Unauthorized: `Refresh token required`, `Invalid or expired refresh token`, `Invalid token type`, `User not found`, `Refresh token revoked or invalid`"
          },
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `Forbidden`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: anonymous. Rate-limit buckets: api, auth_refresh.",
        "security": [{"refreshCookie": []}, {}],
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {"refreshToken": {"type": "string", "minLength": 1, "maxLength": 2000}}
              }
            }
          },
          "description": "Used only when there is no `agentim_rt` cookie; a missing or invalid body counts as no token"
        }
      }
    },
    "/api/auth/logout": {
      "post": {
        "tags": ["Auth"],
        "summary": "Log out this session",
        "operationId": "post_api_auth_logout",
        "responses": {
          "200": {
            "description": "The matching refresh token is deleted and the cookie cleared",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OkEnvelope"}}}
          },
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "requestBody": {
          "required": false,
          "content": {"application/json": {"schema": {"type": "object", "properties": {"refreshToken": {"type": "string"}}}}},
          "description": "Optional: the refresh token to delete when there is no cookie; an empty body is fine"
        }
      }
    },
    "/api/auth/verify-totp": {
      "post": {
        "tags": ["Auth"],
        "summary": "Finish a login with a TOTP or backup code",
        "operationId": "post_api_auth_verify_totp",
        "responses": {
          "200": {"$ref": "#/components/responses/OkLoginResult"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`"
          },
          "401": {
            "$ref": "#/components/responses/Error",
            "description": "Unauthorized: `Invalid token type`, `Invalid TOTP state`, `Invalid TOTP code`, `Invalid or expired TOTP token`"
          },
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: anonymous. Rate-limit buckets: api, auth.",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "totpToken": {"type": "string", "minLength": 1, "maxLength": 2000},
                  "code": {"type": "string", "minLength": 1, "maxLength": 20}
                },
                "required": ["totpToken", "code"]
              }
            }
          }
        }
      }
    },
    "/api/auth/setup-totp": {
      "post": {
        "tags": ["Auth"],
        "summary": "Start setting up 2FA (no body)",
        "operationId": "post_api_auth_setup_totp",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {
                      "type": "object",
                      "properties": {"secret": {"type": "string"}, "uri": {"type": "string"}},
                      "required": ["secret", "uri"]
                    }
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `2FA is already enabled`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `User not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api."
      }
    },
    "/api/auth/verify-totp-setup": {
      "post": {
        "tags": ["Auth"],
        "summary": "Confirm 2FA with a first code",
        "operationId": "post_api_auth_verify_totp_setup",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {
                      "type": "object",
                      "properties": {"backupCodes": {"type": "array", "items": {"type": "string"}, "minItems": 10, "maxItems": 10}},
                      "required": ["backupCodes"]
                    }
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `2FA is already enabled`, `No TOTP setup in progress`, `Invalid TOTP code`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `User not found`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {"code": {"type": "string", "pattern": "^[0-9]{6}$"}},
                "required": ["code"]
              }
            }
          }
        }
      }
    },
    "/api/auth/disable-totp": {
      "post": {
        "tags": ["Auth"],
        "summary": "Turn 2FA off",
        "operationId": "post_api_auth_disable_totp",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `2FA is not enabled`, `Password not set`"
          },
          "401": {
            "$ref": "#/components/responses/Error",
            "description": "Unauthorized: `Unauthorized`, `Invalid or expired token`, `Invalid token type`, `Token revoked`, `Invalid password`"
          },
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `User not found`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {"password": {"type": "string", "minLength": 1}},
                "required": ["password"]
              }
            }
          }
        }
      }
    },
    "/api/auth/oauth/providers": {
      "get": {
        "tags": ["OAuth"],
        "summary": "Configured OAuth providers",
        "operationId": "get_api_auth_oauth_providers",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "array", "items": {"type": "string", "enum": ["github", "google"]}}
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: anonymous. Rate-limit buckets: api.",
        "security": []
      }
    },
    "/api/auth/oauth/{provider}": {
      "get": {
        "tags": ["OAuth"],
        "summary": "Start an OAuth login (redirect)",
        "operationId": "get_api_auth_oauth_provider",
        "responses": {
          "302": {
            "description": "Redirect to the provider's authorise URL; sets `agentim_oauth_state` (HttpOnly, SameSite=Lax, Path=/api/auth, Max-Age=600)",
            "headers": {"Location": {"schema": {"type": "string"}}, "Set-Cookie": {"schema": {"type": "string"}}}
          },
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid provider`, `Provider not configured`"
          },
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: anonymous. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathProvider"}],
        "security": []
      }
    },
    "/api/auth/oauth/{provider}/callback": {
      "get": {
        "tags": ["OAuth"],
        "summary": "OAuth provider callback (redirect)",
        "operationId": "get_api_auth_oauth_provider_callback",
        "responses": {
          "302": {
            "description": "Always a redirect: `/auth/callback?provider=<p>` with a fresh `agentim_rt` cookie, or `/login?error=<code>` (`invalid_provider`, `missing_params`, `invalid_state`, `state_mismatch`, `user_not_found`, `oauth_failed`, or the provider's error)",
            "headers": {"Location": {"schema": {"type": "string"}}, "Set-Cookie": {"schema": {"type": "string"}}}
          },
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: anonymous. Rate-limit buckets: api.",
        "parameters": [
          {"$ref": "#/components/parameters/PathProvider"},
          {
            "in": "query",
            "name": "code",
            "schema": {"type": "string"},
            "description": "Authorisation code from the provider",
            "required": false
          },
          {
            "in": "query",
            "name": "state",
            "schema": {"type": "string"},
            "description": "The state of the start request",
            "required": false
          },
          {
            "in": "query",
            "name": "error",
            "schema": {"type": "string"},
            "description": "The provider's error",
            "required": false
          }
        ],
        "security": []
      }
    },
    "/api/auth/oauth/{provider}/link": {
      "post": {
        "tags": ["OAuth"],
        "summary": "Get the authorise URL to link a provider",
        "operationId": "post_api_auth_oauth_provider_link",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "object", "properties": {"url": {"type": "string"}}, "required": ["url"]}
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid provider`, `Provider not configured`, `Already linked`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathProvider"}]
      }
    },
    "/api/auth/oauth/{provider}/unlink": {
      "delete": {
        "tags": ["OAuth"],
        "summary": "Unlink a provider",
        "operationId": "delete_api_auth_oauth_provider_unlink",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid provider`, `Cannot unlink last authentication method`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `User not found`, `Not linked`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathProvider"}]
      }
    },
    "/api/users/me": {
      "get": {
        "tags": ["Users"],
        "summary": "The signed-in user",
        "operationId": "get_api_users_me",
        "responses": {
          "200": {"$ref": "#/components/responses/OkMe"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `User not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api."
      },
      "put": {
        "tags": ["Users"],
        "summary": "Update my profile",
        "operationId": "put_api_users_me",
        "responses": {
          "200": {"$ref": "#/components/responses/OkMe"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `User not found`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "displayName": {"$ref": "#/components/schemas/DisplayName"},
                  "avatarUrl": {"type": "string", "maxLength": 500, "pattern": "^/uploads/[a-zA-Z0-9_][a-zA-Z0-9_.-]*$"}
                }
              }
            }
          }
        }
      }
    },
    "/api/users/me/oauth-accounts": {
      "get": {
        "tags": ["Users"],
        "summary": "My linked OAuth accounts",
        "operationId": "get_api_users_me_oauth_accounts",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/OAuthAccount"}}
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api."
      }
    },
    "/api/users/me/password": {
      "put": {
        "tags": ["Users"],
        "summary": "Change my password",
        "operationId": "put_api_users_me_password",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `No password set for this account`, `Current password is incorrect`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `User not found`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Revokes every token of the user (the caller's too) and closes their sockets.\n\nAccess: user. Rate-limit buckets: api, sens.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "currentPassword": {"type": "string", "minLength": 1},
                  "newPassword": {"$ref": "#/components/schemas/NewPassword"}
                },
                "required": ["currentPassword", "newPassword"]
              }
            }
          }
        }
      }
    },
    "/api/users/search": {
      "get": {
        "tags": ["Users"],
        "summary": "Find users by name",
        "operationId": "get_api_users_search",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/UserSummary"}, "maxItems": 10}
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [
          {
            "in": "query",
            "name": "q",
            "schema": {"type": "string"},
            "description": "At least 2 characters after trimming, else `[]`",
            "required": false
          }
        ]
      }
    },
    "/api/users": {
      "get": {
        "tags": ["Users"],
        "summary": "All users (admin)",
        "operationId": "get_api_users",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/AdminUserRow"}},
                    "total": {"type": "integer", "minimum": 0}
                  },
                  "required": ["ok", "data", "total"]
                }
              }
            }
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/AdminRequired"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: admin. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/QueryLimit"}, {"$ref": "#/components/parameters/QueryOffset"}]
      },
      "post": {
        "tags": ["Users"],
        "summary": "Create a user (admin)",
        "operationId": "post_api_users",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {"ok": {"const": true}, "data": {"$ref": "#/components/schemas/CreatedUser"}},
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/AdminRequired"},
          "409": {"$ref": "#/components/responses/Error", "description": "Conflict: `Username already taken`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: admin. Rate-limit buckets: api.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "username": {"type": "string", "minLength": 3, "maxLength": 50, "pattern": "^[a-zA-Z0-9_-]+$"},
                  "password": {"$ref": "#/components/schemas/NewPassword"},
                  "displayName": {"$ref": "#/components/schemas/DisplayName"},
                  "role": {"type": "string", "enum": ["admin", "user"], "default": "user"}
                },
                "required": ["username", "password"]
              }
            }
          }
        }
      }
    },
    "/api/users/{id}": {
      "put": {
        "tags": ["Users"],
        "summary": "Update a user (admin)",
        "operationId": "put_api_users_id",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {"ok": {"const": true}, "data": {"$ref": "#/components/schemas/UpdatedUser"}},
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Invalid parameter: id`, `Cannot demote yourself`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/AdminRequired"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `User not found`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: admin. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "displayName": {"$ref": "#/components/schemas/DisplayName"},
                  "role": {"type": "string", "enum": ["admin", "user"]},
                  "password": {"$ref": "#/components/schemas/NewPassword"},
                  "maxWsConnections": {"type": ["integer", "null"], "minimum": 1, "maximum": 1000},
                  "maxGateways": {"type": ["integer", "null"], "minimum": 1, "maximum": 1000}
                }
              }
            }
          }
        }
      },
      "delete": {
        "tags": ["Users"],
        "summary": "Delete a user and everything they own (admin)",
        "operationId": "delete_api_users_id",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid parameter: id`, `Cannot delete yourself`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/AdminRequired"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `User not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: admin. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      }
    },
    "/api/rooms": {
      "get": {
        "tags": ["Rooms"],
        "summary": "My rooms",
        "operationId": "get_api_rooms",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/RoomListItem"}}
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api."
      },
      "post": {
        "tags": ["Rooms"],
        "summary": "Create a room",
        "operationId": "post_api_rooms",
        "responses": {
          "201": {"$ref": "#/components/responses/CreatedRoom"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `One or more users not found`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `Router not accessible`"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Router not found`"},
          "409": {"$ref": "#/components/responses/Error", "description": "Conflict: `Router no longer exists`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api, room-create.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "name": {"$ref": "#/components/schemas/Name"},
                  "type": {"type": "string", "enum": ["private", "group"], "default": "group"},
                  "broadcastMode": {"type": "boolean", "default": false},
                  "systemPrompt": {"type": "string", "maxLength": 10000},
                  "routerId": {"type": "string", "maxLength": 100},
                  "agentCommandRole": {"type": "string", "enum": ["member", "admin", "owner"], "default": "member"},
                  "memberIds": {"type": "array", "items": {"type": "string", "maxLength": 100}, "maxItems": 100}
                },
                "required": ["name"]
              }
            }
          }
        }
      }
    },
    "/api/rooms/{id}": {
      "get": {
        "tags": ["Rooms"],
        "summary": "A room with its first members",
        "operationId": "get_api_rooms_id",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {"ok": {"const": true}, "data": {"$ref": "#/components/schemas/RoomDetail"}},
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `Not a member of this room`"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Room not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      },
      "put": {
        "tags": ["Rooms"],
        "summary": "Update a room's settings",
        "operationId": "put_api_rooms_id",
        "responses": {
          "200": {"$ref": "#/components/responses/CreatedRoom"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Invalid parameter: id`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {
            "$ref": "#/components/responses/Error",
            "description": "Forbidden: `Only room owner or admin can update settings`, `Router not accessible`"
          },
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Router not found`"},
          "409": {"$ref": "#/components/responses/Error", "description": "Conflict: `Router no longer exists`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "name": {"$ref": "#/components/schemas/Name"},
                  "broadcastMode": {"type": "boolean"},
                  "systemPrompt": {"type": ["string", "null"], "maxLength": 10000},
                  "routerId": {"type": ["string", "null"], "maxLength": 100},
                  "agentCommandRole": {"type": "string", "enum": ["member", "admin", "owner"]}
                }
              }
            }
          }
        }
      },
      "delete": {
        "tags": ["Rooms"],
        "summary": "Delete a room",
        "operationId": "delete_api_rooms_id",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `Only room creator can delete`"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Room not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      }
    },
    "/api/rooms/{id}/members": {
      "get": {
        "tags": ["Rooms"],
        "summary": "A room's members",
        "operationId": "get_api_rooms_id_members",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/RoomMemberRow"}},
                    "pagination": {
                      "type": "object",
                      "properties": {"limit": {"type": "integer"}, "offset": {"type": "integer"}, "total": {"type": "integer"}},
                      "required": ["limit", "offset", "total"]
                    }
                  },
                  "required": ["ok", "data", "pagination"]
                }
              }
            }
          },
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `Not a member of this room`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [
          {"$ref": "#/components/parameters/PathId"},
          {"$ref": "#/components/parameters/QueryLimit"},
          {"$ref": "#/components/parameters/QueryOffset"}
        ]
      },
      "post": {
        "tags": ["Rooms"],
        "summary": "Add a member",
        "operationId": "post_api_rooms_id_members",
        "responses": {
          "201": {
            "description": "Added",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OkEnvelope"}}}
          },
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Invalid parameter: id`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {
            "$ref": "#/components/responses/Error",
            "description": "Forbidden: `Only room owner or admin can add members`, `You do not own this agent and it is not shared`"
          },
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `User not found`, `Agent not found`"},
          "409": {"$ref": "#/components/responses/Error", "description": "Conflict: `Member already in room`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "memberId": {"type": "string", "minLength": 1, "maxLength": 100},
                  "memberType": {"type": "string", "enum": ["user", "agent"]},
                  "role": {"type": "string", "enum": ["member", "admin", "owner"], "default": "member"},
                  "roleDescription": {"type": "string", "maxLength": 500}
                },
                "required": ["memberId", "memberType"]
              }
            }
          }
        }
      }
    },
    "/api/rooms/{id}/members/{memberId}": {
      "delete": {
        "tags": ["Rooms"],
        "summary": "Remove a member (or leave)",
        "operationId": "delete_api_rooms_id_members_memberId",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid parameter: id`, `Cannot remove the room creator`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {
            "$ref": "#/components/responses/Error",
            "description": "Forbidden: `Not a member of this room`, `Only room owner or admin can remove members`"
          },
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [
          {"$ref": "#/components/parameters/PathId"},
          {
            "name": "memberId",
            "in": "path",
            "required": true,
            "description": "A user or agent id (not checked)",
            "schema": {"type": "string"}
          }
        ]
      }
    },
    "/api/rooms/{id}/clear": {
      "put": {
        "tags": ["Rooms"],
        "summary": "Hide older history for me (no body)",
        "operationId": "put_api_rooms_id_clear",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {
                      "type": "object",
                      "properties": {
                        "clearedAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"}
                      },
                      "required": ["clearedAt"]
                    }
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Not a member`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      }
    },
    "/api/rooms/{id}/pin": {
      "put": {
        "tags": ["Rooms"],
        "summary": "Toggle pinned (no body)",
        "operationId": "put_api_rooms_id_pin",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "object", "properties": {"pinned": {"type": "boolean"}}, "required": ["pinned"]}
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Not a member`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      }
    },
    "/api/rooms/{id}/archive": {
      "put": {
        "tags": ["Rooms"],
        "summary": "Toggle archived (no body)",
        "operationId": "put_api_rooms_id_archive",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "object", "properties": {"archived": {"type": "boolean"}}, "required": ["archived"]}
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Not a member`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      }
    },
    "/api/rooms/{id}/notification-pref": {
      "put": {
        "tags": ["Rooms"],
        "summary": "Set my notification preference",
        "operationId": "put_api_rooms_id_notification_pref",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Invalid parameter: id`, `Invalid preference. Must be one of: all, mentions, none`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `Not a member of this room`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {"pref": {"type": "string", "enum": ["all", "mentions", "none"]}},
                "required": ["pref"]
              }
            }
          }
        }
      }
    },
    "/api/messages/recent": {
      "get": {
        "tags": ["Messages"],
        "summary": "Latest message and unread count per room",
        "operationId": "get_api_messages_recent",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {
                      "type": "object",
                      "properties": {},
                      "additionalProperties": {"$ref": "#/components/schemas/RecentEntry"}
                    }
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api."
      }
    },
    "/api/messages/mark-all-read": {
      "post": {
        "tags": ["Messages"],
        "summary": "Mark every room read (no body)",
        "operationId": "post_api_messages_mark_all_read",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api."
      }
    },
    "/api/messages/rooms/{roomId}/read": {
      "post": {
        "tags": ["Messages"],
        "summary": "Mark a room read (no body)",
        "operationId": "post_api_messages_rooms_roomId_read",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: roomId`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `Not a member of this room`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathRoomId"}]
      }
    },
    "/api/messages/rooms/{roomId}": {
      "get": {
        "tags": ["Messages"],
        "summary": "A room's history, newest first",
        "operationId": "get_api_messages_rooms_roomId",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {"ok": {"const": true}, "data": {"$ref": "#/components/schemas/MessagePage"}},
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid parameter: roomId`, `Validation failed`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `Not a member of this room`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [
          {"$ref": "#/components/parameters/PathRoomId"},
          {
            "in": "query",
            "name": "limit",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
            "description": "1-100, default 50; anything else is 400 `Validation failed`",
            "required": false
          },
          {
            "in": "query",
            "name": "cursor",
            "schema": {"type": "string"},
            "description": "Messages created before this timestamp",
            "required": false
          },
          {
            "in": "query",
            "name": "after",
            "schema": {"type": "string"},
            "description": "Messages created after this timestamp (wins over cursor)",
            "required": false
          }
        ]
      }
    },
    "/api/messages/search": {
      "get": {
        "tags": ["Messages"],
        "summary": "Search my rooms' messages",
        "operationId": "get_api_messages_search",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {
                      "oneOf": [
                        {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
                        {
                          "type": "object",
                          "properties": {
                            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}, "maxItems": 0},
                            "hasMore": {"const": false}
                          },
                          "required": ["items", "hasMore"]
                        }
                      ]
                    }
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Validation failed`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Room not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api, sens.",
        "parameters": [
          {
            "in": "query",
            "name": "q",
            "schema": {"type": "string", "minLength": 2, "maxLength": 500},
            "description": "Required, 2-500 characters",
            "required": true
          },
          {
            "in": "query",
            "name": "limit",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
            "description": "1-100, default 20",
            "required": false
          },
          {
            "in": "query",
            "name": "roomId",
            "schema": {"type": "string", "maxLength": 100},
            "description": "Only this room (one of mine)",
            "required": false
          },
          {
            "in": "query",
            "name": "senderId",
            "schema": {"type": "string", "maxLength": 100},
            "description": "Only this sender",
            "required": false
          },
          {
            "in": "query",
            "name": "senderType",
            "schema": {"type": "string", "enum": ["user", "agent", "system"]},
            "description": "Only this sender type",
            "required": false
          },
          {
            "in": "query",
            "name": "dateFrom",
            "schema": {"type": "string", "format": "date-time"},
            "description": "ISO 8601 date-time; before dateTo",
            "required": false
          },
          {
            "in": "query",
            "name": "dateTo",
            "schema": {"type": "string", "format": "date-time"},
            "description": "ISO 8601 date-time",
            "required": false
          },
          {
            "in": "query",
            "name": "cursor",
            "schema": {"type": "string"},
            "description": "Accepted and ignored",
            "required": false
          }
        ]
      }
    },
    "/api/messages/{id}": {
      "put": {
        "tags": ["Messages"],
        "summary": "Edit my message",
        "operationId": "put_api_messages_id",
        "responses": {
          "200": {"$ref": "#/components/responses/OkMessage"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Invalid parameter: id`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {
            "$ref": "#/components/responses/Error",
            "description": "Forbidden: `Not a member of this room`, `Only the sender can edit this message`"
          },
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Message not found`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {"content": {"type": "string", "minLength": 1, "maxLength": 100000}},
                "required": ["content"]
              }
            }
          }
        }
      },
      "delete": {
        "tags": ["Messages"],
        "summary": "Delete my message",
        "operationId": "delete_api_messages_id",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {
            "$ref": "#/components/responses/Error",
            "description": "Forbidden: `Not a member of this room`, `Only the sender can delete this message`"
          },
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Message not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      }
    },
    "/api/messages/batch-delete": {
      "post": {
        "tags": ["Messages"],
        "summary": "Delete several messages of one room",
        "operationId": "post_api_messages_batch_delete",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {
                      "type": "object",
                      "properties": {"deleted": {"type": "integer", "minimum": 0}},
                      "required": ["deleted"]
                    }
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `All messages must belong to the same room`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {
            "$ref": "#/components/responses/Error",
            "description": "Forbidden: `Not a member of this room`, `No permission to delete these messages`"
          },
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "messageIds": {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1, "maxLength": 100},
                    "minItems": 1,
                    "maxItems": 50
                  }
                },
                "required": ["messageIds"]
              }
            }
          }
        }
      }
    },
    "/api/messages/{id}/history": {
      "get": {
        "tags": ["Messages"],
        "summary": "A message's edit history",
        "operationId": "get_api_messages_id_history",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/EditHistoryEntry"}, "maxItems": 100}
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `Not a member of this room`"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Message not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      }
    },
    "/api/messages/{id}/reactions": {
      "post": {
        "tags": ["Messages"],
        "summary": "Toggle my reaction",
        "operationId": "post_api_messages_id_reactions",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Reaction"}}
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Invalid parameter: id`, `Invalid emoji`, `Maximum reactions per message reached`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `Not a member of this room`"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Message not found`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {"emoji": {"type": "string", "minLength": 1, "maxLength": 8}},
                "required": ["emoji"]
              }
            }
          }
        }
      }
    },
    "/api/messages/{id}/thread": {
      "get": {
        "tags": ["Messages"],
        "summary": "Replies to a message, oldest first",
        "operationId": "get_api_messages_id_thread",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
                    "nextCursor": {"type": "string"}
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `Not a member of this room`"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Message not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [
          {"$ref": "#/components/parameters/PathId"},
          {
            "in": "query",
            "name": "cursor",
            "schema": {"type": "string"},
            "description": "Replies created after this timestamp",
            "required": false
          },
          {
            "in": "query",
            "name": "limit",
            "schema": {"type": "integer"},
            "description": "Default 50, at most 100",
            "required": false
          }
        ]
      }
    },
    "/api/messages/{id}/replies/count": {
      "get": {
        "tags": ["Messages"],
        "summary": "How many replies a message has",
        "operationId": "get_api_messages_id_replies_count",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {
                      "type": "object",
                      "properties": {"count": {"type": "integer", "minimum": 0}},
                      "required": ["count"]
                    }
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `Not a member of this room`"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Message not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      }
    },
    "/api/messages/{id}/forward": {
      "post": {
        "tags": ["Messages"],
        "summary": "Forward a message to another room",
        "operationId": "post_api_messages_id_forward",
        "responses": {
          "201": {"$ref": "#/components/responses/OkMessage"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Invalid parameter: id`, `Cannot forward to the same room`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {
            "$ref": "#/components/responses/Error",
            "description": "Forbidden: `Not a member of the source room`, `Not a member of the target room`"
          },
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Message not found`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {"targetRoomId": {"type": "string", "minLength": 1, "maxLength": 100}},
                "required": ["targetRoomId"]
              }
            }
          }
        }
      }
    },
    "/api/agents": {
      "get": {
        "tags": ["Agents and gateways"],
        "summary": "My agents",
        "operationId": "get_api_agents",
        "responses": {
          "200": {"$ref": "#/components/responses/OkAgentList"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/QueryLimit"}, {"$ref": "#/components/parameters/QueryOffset"}]
      }
    },
    "/api/agents/shared": {
      "get": {
        "tags": ["Agents and gateways"],
        "summary": "Agents others share with me",
        "operationId": "get_api_agents_shared",
        "responses": {
          "200": {"$ref": "#/components/responses/OkAgentList"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/QueryLimit"}, {"$ref": "#/components/parameters/QueryOffset"}]
      }
    },
    "/api/agents/gateways/list": {
      "get": {
        "tags": ["Agents and gateways"],
        "summary": "My gateways",
        "operationId": "get_api_agents_gateways_list",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/GatewayRow"}}
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api."
      }
    },
    "/api/agents/gateways/{gatewayId}": {
      "delete": {
        "tags": ["Agents and gateways"],
        "summary": "Delete a gateway and its agents",
        "operationId": "delete_api_agents_gateways_gatewayId",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: gatewayId`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `You do not own this gateway`"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Gateway not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [
          {
            "name": "gatewayId",
            "in": "path",
            "required": true,
            "description": "Checked: `^[A-Za-z0-9_-]+$`, 1-30 characters, else 400 `Invalid parameter: gatewayId`",
            "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "minLength": 1, "maxLength": 30}
          }
        ]
      }
    },
    "/api/agents/spawn": {
      "post": {
        "tags": ["Agents and gateways"],
        "summary": "Ask a gateway to start an agent",
        "operationId": "post_api_agents_spawn",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Missing required fields: gatewayId, agentType, name`, `Invalid agent type: <t>`, `Name must be 1-100 non-empty characters`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Gateway not found`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "503": {"$ref": "#/components/responses/Error", "description": "Unavailable: `Gateway is offline`"}
        },
        "description": "200 means the request was forwarded; the outcome arrives over the gateway socket.\n\nAccess: user. Rate-limit buckets: api.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "gatewayId": {"type": "string"},
                  "agentType": {"type": "string", "enum": ["claude-code", "codex", "gemini", "generic"]},
                  "name": {"type": "string", "minLength": 1, "maxLength": 100},
                  "workingDirectory": {"type": "string"},
                  "credentialId": {"type": "string"}
                },
                "required": ["gatewayId", "agentType", "name"]
              }
            }
          }
        }
      }
    },
    "/api/agents/{id}": {
      "get": {
        "tags": ["Agents and gateways"],
        "summary": "An agent I own or can see",
        "operationId": "get_api_agents_id",
        "responses": {
          "200": {"$ref": "#/components/responses/OkAgent"},
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Agent not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      },
      "put": {
        "tags": ["Agents and gateways"],
        "summary": "Rename an agent or change who sees it",
        "operationId": "put_api_agents_id",
        "responses": {
          "200": {"$ref": "#/components/responses/OkAgent"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Invalid parameter: id`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `You do not own this agent`"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Agent not found`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "name": {"$ref": "#/components/schemas/Name"},
                  "visibility": {"type": "string", "enum": ["private", "all", "whitelist"]},
                  "visibilityList": {"type": "array", "items": {"type": "string", "maxLength": 100}, "maxItems": 500}
                }
              }
            }
          }
        }
      },
      "delete": {
        "tags": ["Agents and gateways"],
        "summary": "Delete an agent",
        "operationId": "delete_api_agents_id",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `You do not own this agent`"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Agent not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      }
    },
    "/api/tasks": {
      "get": {
        "tags": ["Tasks"],
        "summary": "Tasks of all my rooms",
        "operationId": "get_api_tasks",
        "responses": {
          "200": {"$ref": "#/components/responses/OkTaskList"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/QueryLimit2"}, {"$ref": "#/components/parameters/QueryOffset"}]
      }
    },
    "/api/tasks/rooms/{roomId}": {
      "get": {
        "tags": ["Tasks"],
        "summary": "A room's tasks",
        "operationId": "get_api_tasks_rooms_roomId",
        "responses": {
          "200": {"$ref": "#/components/responses/OkTaskList"},
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: roomId`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `Not a member of this room`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [
          {"$ref": "#/components/parameters/PathRoomId"},
          {"$ref": "#/components/parameters/QueryLimit2"},
          {"$ref": "#/components/parameters/QueryOffset"}
        ]
      },
      "post": {
        "tags": ["Tasks"],
        "summary": "Create a task",
        "operationId": "post_api_tasks_rooms_roomId",
        "responses": {
          "201": {"$ref": "#/components/responses/CreatedTask"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Invalid parameter: roomId`, `Assignee is not a member of this room`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `Not a member of this room`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathRoomId"}],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "title": {"$ref": "#/components/schemas/Title"},
                  "description": {"type": "string", "maxLength": 10000, "default": ""},
                  "dueDate": {
                    "type": "string",
                    "format": "date-time",
                    "pattern": "Z$",
                    "description": "ISO 8601 date-time in UTC (`Z`)"
                  },
                  "assigneeId": {"type": "string", "maxLength": 100},
                  "assigneeType": {"type": "string", "enum": ["user", "agent"]}
                },
                "required": ["title"]
              }
            }
          }
        }
      }
    },
    "/api/tasks/{id}": {
      "put": {
        "tags": ["Tasks"],
        "summary": "Update a task",
        "operationId": "put_api_tasks_id",
        "responses": {
          "200": {"$ref": "#/components/responses/CreatedTask"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Invalid parameter: id`, `assigneeId is required when assigneeType is set`, `Current assignee is not valid for the new assigneeType; provide a new assigneeId`, `Assignee is not a member of this room`, `Cannot transition from \"<old>\" to \"in_progress\"`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {
            "$ref": "#/components/responses/Error",
            "description": "Forbidden: `Not a member of this room`, `Only task creator, assignee, or room admin can modify task details`"
          },
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Task not found`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "title": {"$ref": "#/components/schemas/Title"},
                  "description": {"type": "string", "maxLength": 10000},
                  "status": {"type": "string", "enum": ["pending", "in_progress", "completed", "failed", "cancelled"]},
                  "result": {"type": ["string", "null"], "maxLength": 100000},
                  "dueDate": {
                    "type": ["string", "null"],
                    "format": "date-time",
                    "pattern": "Z$",
                    "description": "ISO 8601 date-time in UTC (`Z`)"
                  },
                  "assigneeId": {"type": ["string", "null"], "maxLength": 100},
                  "assigneeType": {"type": ["string", "null"], "enum": ["user", "agent", null]}
                }
              }
            }
          }
        }
      },
      "delete": {
        "tags": ["Tasks"],
        "summary": "Delete a task",
        "operationId": "delete_api_tasks_id",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {
            "$ref": "#/components/responses/Error",
            "description": "Forbidden: `Not a member of this room`, `Only task creator or room admin can delete`"
          },
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Task not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      }
    },
    "/api/routers": {
      "get": {
        "tags": ["Routers"],
        "summary": "Routers I can see",
        "operationId": "get_api_routers",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {"ok": {"const": true}, "data": {"type": "array", "items": {"$ref": "#/components/schemas/Router"}}},
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api."
      },
      "post": {
        "tags": ["Routers"],
        "summary": "Create a router",
        "operationId": "post_api_routers",
        "responses": {
          "201": {"$ref": "#/components/responses/CreatedRouter"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `LLM base URL must not point to internal or private networks`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {
            "$ref": "#/components/responses/Error",
            "description": "Forbidden: `Admin access required to create global routers`"
          },
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "500": {
            "$ref": "#/components/responses/Error",
            "description": "Quirk kept from the original (http-api.md): a second router of the same name by the same creator: `a router named \"<name>\" already exists for this user`"
          }
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "name": {"$ref": "#/components/schemas/Name"},
                  "description": {"type": ["string", "null"], "maxLength": 1000},
                  "scope": {"type": "string", "enum": ["global", "personal"], "default": "personal"},
                  "llmBaseUrl": {"$ref": "#/components/schemas/LlmBaseUrl"},
                  "llmApiKey": {"type": "string", "minLength": 1, "maxLength": 500},
                  "llmModel": {"type": "string", "minLength": 1, "maxLength": 200},
                  "maxChainDepth": {"type": "integer", "minimum": 1, "maximum": 100, "default": 5},
                  "rateLimitWindow": {"type": "integer", "minimum": 1, "maximum": 3600, "default": 60},
                  "rateLimitMax": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 20},
                  "visibility": {"type": "string", "enum": ["all", "whitelist", "blacklist"], "default": "all"},
                  "visibilityList": {"type": "array", "items": {"type": "string", "maxLength": 100}, "maxItems": 500, "default": []}
                },
                "required": ["name", "llmBaseUrl", "llmApiKey", "llmModel"]
              }
            }
          }
        }
      }
    },
    "/api/routers/{id}": {
      "get": {
        "tags": ["Routers"],
        "summary": "A router",
        "operationId": "get_api_routers_id",
        "responses": {
          "200": {"$ref": "#/components/responses/CreatedRouter"},
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Router not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      },
      "put": {
        "tags": ["Routers"],
        "summary": "Update a router",
        "operationId": "put_api_routers_id",
        "responses": {
          "200": {"$ref": "#/components/responses/CreatedRouter"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Invalid parameter: id`, `LLM base URL must not point to internal or private networks`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {
            "$ref": "#/components/responses/Error",
            "description": "Forbidden: `Only the router owner or admin can update`"
          },
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Router not found`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "500": {
            "$ref": "#/components/responses/Error",
            "description": "Quirk kept from the original (http-api.md): a second router of the same name by the same creator: `a router named \"<name>\" already exists for this user`"
          }
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "name": {"$ref": "#/components/schemas/Name"},
                  "description": {"type": ["string", "null"], "maxLength": 1000},
                  "llmBaseUrl": {"$ref": "#/components/schemas/LlmBaseUrl"},
                  "llmApiKey": {"type": "string", "minLength": 1, "maxLength": 500},
                  "llmModel": {"type": "string", "minLength": 1, "maxLength": 200},
                  "maxChainDepth": {"type": "integer", "minimum": 1, "maximum": 100},
                  "rateLimitWindow": {"type": "integer", "minimum": 1, "maximum": 3600},
                  "rateLimitMax": {"type": "integer", "minimum": 1, "maximum": 1000},
                  "visibility": {"type": "string", "enum": ["all", "whitelist", "blacklist"]},
                  "visibilityList": {"type": "array", "items": {"type": "string", "maxLength": 100}, "maxItems": 500}
                }
              }
            }
          }
        }
      },
      "delete": {
        "tags": ["Routers"],
        "summary": "Delete a router",
        "operationId": "delete_api_routers_id",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {
            "$ref": "#/components/responses/Error",
            "description": "Forbidden: `Only the router owner or admin can delete`"
          },
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Router not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      }
    },
    "/api/routers/{id}/test": {
      "post": {
        "tags": ["Routers"],
        "summary": "Test a router's LLM connection (no body)",
        "operationId": "post_api_routers_id_test",
        "responses": {
          "200": {
            "description": "`{ok:true, data:{success:true}}`, or the upstream failure as `{ok:false, error}` (`LLM API returned HTTP <status>`, `Connection timeout (10s)`, `Connection failed`) with status 200",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "oneOf": [
                    {
                      "type": "object",
                      "properties": {
                        "ok": {"const": true},
                        "data": {"type": "object", "properties": {"success": {"const": true}}, "required": ["success"]}
                      },
                      "required": ["ok", "data"]
                    },
                    {"$ref": "#/components/schemas/Error"}
                  ]
                }
              }
            }
          },
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Router not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api, router-test.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      }
    },
    "/api/upload": {
      "post": {
        "tags": ["Uploads"],
        "summary": "Upload an attachment",
        "operationId": "post_api_upload",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {"ok": {"const": true}, "data": {"$ref": "#/components/schemas/Upload"}},
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `No file provided`, `File content does not match declared type`, `File too large. Maximum size is <N>MB`, `File type \"<type>\" is not allowed`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"}
        },
        "description": "Access: user. Rate-limit buckets: api, upload.",
        "requestBody": {"$ref": "#/components/requestBodies/UploadFile"}
      }
    },
    "/api/upload/avatar": {
      "post": {
        "tags": ["Uploads"],
        "summary": "Upload my avatar",
        "operationId": "post_api_upload_avatar",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "object", "properties": {"avatarUrl": {"type": "string"}}, "required": ["avatarUrl"]}
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `No file provided`, `File content does not match declared type`, `Avatar too large. Maximum size is 2MB`, `Only JPEG, PNG, GIF and WebP images are allowed`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"}
        },
        "description": "Access: user. Rate-limit buckets: api, upload.",
        "requestBody": {"$ref": "#/components/requestBodies/UploadFile"}
      }
    },
    "/uploads/{filename}": {
      "get": {
        "tags": ["Uploads"],
        "summary": "Download a stored file",
        "operationId": "get_uploads_filename",
        "responses": {
          "200": {
            "description": "The file's bytes with its type; `Content-Disposition: attachment` unless an image",
            "content": {"*/*": {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}
          },
          "401": {
            "$ref": "#/components/responses/Error",
            "description": "Not signed in: `Unauthorized`, `Invalid or expired token`, `Invalid token type`, `Token has been revoked`"
          },
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `File not found`, `Not found`"}
        },
        "description": "Access: user. Rate-limit buckets: none.",
        "parameters": [
          {
            "name": "filename",
            "in": "path",
            "required": true,
            "description": "The stored name from an upload's `url`",
            "schema": {"type": "string"}
          },
          {
            "in": "query",
            "name": "token",
            "schema": {"type": "string"},
            "description": "An access token, for `<img src>` and links",
            "required": false
          }
        ],
        "security": [{"bearerAuth": []}, {"tokenQuery": []}]
      }
    },
    "/api/bookmarks": {
      "get": {
        "tags": ["Bookmarks"],
        "summary": "My bookmarks, newest first",
        "operationId": "get_api_bookmarks",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {
                      "type": "object",
                      "properties": {
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/BookmarkItem"}},
                        "nextCursor": {"type": "string"},
                        "hasMore": {"type": "boolean"}
                      },
                      "required": ["items", "hasMore"]
                    }
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [
          {
            "in": "query",
            "name": "cursor",
            "schema": {"type": "string"},
            "description": "Bookmarks created before this timestamp",
            "required": false
          },
          {
            "in": "query",
            "name": "limit",
            "schema": {"type": "integer"},
            "description": "Default 50, clamped to 1-100",
            "required": false
          }
        ]
      },
      "post": {
        "tags": ["Bookmarks"],
        "summary": "Bookmark a message",
        "operationId": "post_api_bookmarks",
        "responses": {
          "201": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {"ok": {"const": true}, "data": {"$ref": "#/components/schemas/Bookmark"}},
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Maximum bookmarks reached`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Error", "description": "Forbidden: `Not a member of this room`"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Message not found`"},
          "409": {"$ref": "#/components/responses/Error", "description": "Conflict: `Bookmark already exists`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "messageId": {"type": "string", "minLength": 1, "maxLength": 100},
                  "note": {"type": "string", "maxLength": 500, "default": ""}
                },
                "required": ["messageId"]
              }
            }
          }
        }
      }
    },
    "/api/bookmarks/{id}": {
      "delete": {
        "tags": ["Bookmarks"],
        "summary": "Remove a bookmark",
        "operationId": "delete_api_bookmarks_id",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Bookmark not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      }
    },
    "/api/admin/settings": {
      "get": {
        "tags": ["Admin settings"],
        "summary": "Every runtime setting by group",
        "operationId": "get_api_admin_settings",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {
                      "type": "object",
                      "properties": {
                        "general": {"type": "array", "items": {"$ref": "#/components/schemas/SettingItem"}},
                        "security": {"type": "array", "items": {"$ref": "#/components/schemas/SettingItem"}},
                        "storage": {"type": "array", "items": {"$ref": "#/components/schemas/SettingItem"}},
                        "rateLimit": {"type": "array", "items": {"$ref": "#/components/schemas/SettingItem"}},
                        "connections": {"type": "array", "items": {"$ref": "#/components/schemas/SettingItem"}},
                        "aiRouter": {"type": "array", "items": {"$ref": "#/components/schemas/SettingItem"}},
                        "pushNotifications": {"type": "array", "items": {"$ref": "#/components/schemas/SettingItem"}},
                        "maintenance": {"type": "array", "items": {"$ref": "#/components/schemas/SettingItem"}}
                      },
                      "required": [
                        "general",
                        "security",
                        "storage",
                        "rateLimit",
                        "connections",
                        "aiRouter",
                        "pushNotifications",
                        "maintenance"
                      ]
                    }
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/AdminRequired"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: admin. Rate-limit buckets: api."
      },
      "put": {
        "tags": ["Admin settings"],
        "summary": "Change runtime settings",
        "operationId": "put_api_admin_settings",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {
                      "type": "object",
                      "properties": {"updated": {"type": "array", "items": {"type": "string"}}},
                      "required": ["updated"]
                    }
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Missing \"changes\" object`, `Unknown setting: <key>`, `<key>: must be a number`, `<key>: minimum is N`, `<key>: maximum is N`, `<key>: must be \"true\" or \"false\"`, `<key>: must be one of a, b`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/AdminRequired"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Each key is validated and saved on its own: on any failure the answer is 400 with every error joined by `; ` and `data.updated` listing the keys that were saved.\n\nAccess: admin. Rate-limit buckets: api.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "changes": {
                    "type": "object",
                    "properties": {},
                    "additionalProperties": {"type": ["string", "number", "boolean"]}
                  }
                },
                "required": ["changes"]
              }
            }
          }
        }
      }
    },
    "/api/service-agents/providers": {
      "get": {
        "tags": ["Service agents"],
        "summary": "The built-in providers and their config schemas",
        "operationId": "get_api_service_agents_providers",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceAgentProvider"}}
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/AdminRequired"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: admin. Rate-limit buckets: api."
      }
    },
    "/api/service-agents": {
      "get": {
        "tags": ["Service agents"],
        "summary": "Every service agent",
        "operationId": "get_api_service_agents",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "array", "items": {"$ref": "#/components/schemas/ServiceAgent"}}
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/AdminRequired"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: admin. Rate-limit buckets: api."
      },
      "post": {
        "tags": ["Service agents"],
        "summary": "Create a service agent",
        "operationId": "post_api_service_agents",
        "responses": {
          "201": {"$ref": "#/components/responses/CreatedServiceAgent"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Invalid provider config`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/AdminRequired"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "500": {
            "$ref": "#/components/responses/Error",
            "description": "Quirk kept from the original (http-api.md): a second service agent of the same name by the same creator: `a service agent named \"<name>\" already exists for this user`"
          }
        },
        "description": "Access: admin. Rate-limit buckets: api.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "name": {"$ref": "#/components/schemas/Name"},
                  "type": {
                    "type": "string",
                    "enum": [
                      "openai-chat",
                      "perplexity",
                      "openai-image",
                      "elevenlabs",
                      "runway",
                      "stability-audio",
                      "meshy",
                      "custom"
                    ],
                    "default": "openai-chat"
                  },
                  "category": {"type": "string", "enum": ["chat", "search", "image", "audio", "video", "music", "3d"]},
                  "description": {"type": "string", "maxLength": 1000},
                  "config": {
                    "type": "object",
                    "properties": {},
                    "description": "Provider configuration; `apiKey` (and `model` or `voiceId` for some types) required except for `custom`"
                  }
                },
                "required": ["name", "config"]
              }
            }
          }
        }
      }
    },
    "/api/service-agents/{id}": {
      "get": {
        "tags": ["Service agents"],
        "summary": "A service agent with its masked config",
        "operationId": "get_api_service_agents_id",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {
                      "allOf": [
                        {"$ref": "#/components/schemas/ServiceAgent"},
                        {"type": "object", "properties": {"config": {"type": "object"}}, "required": ["config"]}
                      ]
                    }
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/AdminRequired"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Service agent not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: admin. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      },
      "put": {
        "tags": ["Service agents"],
        "summary": "Update a service agent (config merged)",
        "operationId": "put_api_service_agents_id",
        "responses": {
          "200": {"$ref": "#/components/responses/CreatedServiceAgent"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Invalid parameter: id`, `Invalid provider config`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/AdminRequired"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Service agent not found`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"},
          "500": {
            "$ref": "#/components/responses/Error",
            "description": "Quirk kept from the original (http-api.md): a second service agent of the same name by the same creator: `a service agent named \"<name>\" already exists for this user`"
          }
        },
        "description": "Access: admin. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "name": {"$ref": "#/components/schemas/Name"},
                  "type": {
                    "type": "string",
                    "enum": [
                      "openai-chat",
                      "perplexity",
                      "openai-image",
                      "elevenlabs",
                      "runway",
                      "stability-audio",
                      "meshy",
                      "custom"
                    ]
                  },
                  "category": {"type": "string", "enum": ["chat", "search", "image", "audio", "video", "music", "3d"]},
                  "description": {"type": ["string", "null"], "maxLength": 1000},
                  "status": {"type": "string", "enum": ["active", "inactive", "error"]},
                  "config": {"type": "object"}
                }
              }
            }
          }
        }
      },
      "delete": {
        "tags": ["Service agents"],
        "summary": "Delete a service agent",
        "operationId": "delete_api_service_agents_id",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/AdminRequired"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Service agent not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: admin. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      }
    },
    "/api/service-agents/{id}/validate": {
      "post": {
        "tags": ["Service agents"],
        "summary": "Check a service agent's credentials with its provider (no body)",
        "operationId": "post_api_service_agents_id_validate",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {
                      "type": "object",
                      "properties": {"valid": {"type": "boolean"}, "error": {"type": "string"}, "message": {"type": "string"}},
                      "required": ["valid"]
                    }
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "400": {"$ref": "#/components/responses/Error", "description": "Bad request: `Invalid parameter: id`"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/AdminRequired"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Service agent not found`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: admin. Rate-limit buckets: api.",
        "parameters": [{"$ref": "#/components/parameters/PathId"}]
      }
    },
    "/api/push/vapid-key": {
      "get": {
        "tags": ["Web Push"],
        "summary": "The VAPID public key",
        "operationId": "get_api_push_vapid_key",
        "responses": {
          "200": {
            "description": "OK",
            "headers": {
              "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
              "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
            },
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "ok": {"const": true},
                    "data": {"type": "object", "properties": {"publicKey": {"type": "string"}}, "required": ["publicKey"]}
                  },
                  "required": ["ok", "data"]
                }
              }
            }
          },
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Web Push is not configured`"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: anonymous. Rate-limit buckets: api.",
        "security": []
      }
    },
    "/api/push/subscribe": {
      "post": {
        "tags": ["Web Push"],
        "summary": "Subscribe this browser",
        "operationId": "post_api_push_subscribe",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Invalid subscription data`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/Error", "description": "Not found: `Web Push is not configured`"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "endpoint": {"type": "string"},
                  "keys": {
                    "type": "object",
                    "properties": {"p256dh": {"type": "string"}, "auth": {"type": "string"}},
                    "required": ["p256dh", "auth"]
                  }
                },
                "required": ["endpoint", "keys"]
              }
            }
          }
        }
      }
    },
    "/api/push/unsubscribe": {
      "post": {
        "tags": ["Web Push"],
        "summary": "Unsubscribe this browser",
        "operationId": "post_api_push_unsubscribe",
        "responses": {
          "200": {"$ref": "#/components/responses/OkOkEnvelope"},
          "400": {
            "$ref": "#/components/responses/Error",
            "description": "Bad request: `Invalid JSON body`, `Validation failed`, `Missing endpoint`"
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "Access: user. Rate-limit buckets: api.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {"schema": {"type": "object", "properties": {"endpoint": {"type": "string"}}, "required": ["endpoint"]}}
          }
        }
      }
    },
    "/ws/client": {
      "get": {
        "tags": ["WebSocket"],
        "summary": "WebSocket for browsers (see websocket.md)",
        "operationId": "get_ws_client",
        "responses": {
          "426": {"$ref": "#/components/responses/UpgradeRequiredError"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "A WebSocket upgrade (101) authenticates with its first frame; a plain GET answers 426.\n\nAccess: anonymous. Rate-limit buckets: ws_upgrade.",
        "security": []
      }
    },
    "/ws/gateway": {
      "get": {
        "tags": ["WebSocket"],
        "summary": "WebSocket for agentim CLIs (see websocket.md)",
        "operationId": "get_ws_gateway",
        "responses": {
          "426": {"$ref": "#/components/responses/UpgradeRequiredError"},
          "429": {"$ref": "#/components/responses/TooManyRequests"}
        },
        "description": "A WebSocket upgrade (101) authenticates with its first frame; a plain GET answers 426.\n\nAccess: anonymous. Rate-limit buckets: ws_upgrade.",
        "security": []
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "`Authorization: Bearer <accessToken>` (HS256; 15 min by default)"
      },
      "refreshCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "agentim_rt",
        "description": "The refresh token cookie (HttpOnly, SameSite=Strict, Path=/api/auth)"
      },
      "tokenQuery": {
        "type": "apiKey",
        "in": "query",
        "name": "token",
        "description": "An access token in the query, for file downloads only"
      }
    },
    "parameters": {
      "PathProvider": {
        "name": "provider",
        "in": "path",
        "required": true,
        "description": "`github` or `google`; anything else is `Invalid provider`",
        "schema": {"type": "string"}
      },
      "QueryLimit": {
        "in": "query",
        "name": "limit",
        "schema": {"type": "integer"},
        "description": "Default 100; non-numeric gives the default, then clamped to 1-500",
        "required": false
      },
      "QueryOffset": {
        "in": "query",
        "name": "offset",
        "schema": {"type": "integer"},
        "description": "Default 0; clamped to >= 0",
        "required": false
      },
      "PathId": {
        "name": "id",
        "in": "path",
        "required": true,
        "description": "Checked: `^[A-Za-z0-9_-]+$`, 1-30 characters, else 400 `Invalid parameter: id`",
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "minLength": 1, "maxLength": 30}
      },
      "PathRoomId": {
        "name": "roomId",
        "in": "path",
        "required": true,
        "description": "Checked: `^[A-Za-z0-9_-]+$`, 1-30 characters, else 400 `Invalid parameter: roomId`",
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "minLength": 1, "maxLength": 30}
      },
      "QueryLimit2": {
        "in": "query",
        "name": "limit",
        "schema": {"type": "integer"},
        "description": "Default 50; non-numeric gives the default, then clamped to 1-100",
        "required": false
      }
    },
    "headers": {
      "X-RateLimit-Limit": {
        "description": "The bucket's maximum in its window (sent when the hub runs with Redis)",
        "schema": {"type": "integer", "minimum": 1}
      },
      "X-RateLimit-Remaining": {
        "description": "Requests left in the current window (sent when the hub runs with Redis)",
        "schema": {"type": "integer", "minimum": 0}
      },
      "Retry-After": {"description": "Seconds until the window resets (429 only)", "schema": {"type": "integer", "minimum": 0}},
      "X-Request-ID": {
        "description": "The inbound X-Request-ID (first 32 characters) or a random 12-character id",
        "schema": {"type": "string"}
      }
    },
    "requestBodies": {
      "UploadFile": {
        "required": true,
        "content": {
          "multipart/form-data": {
            "schema": {
              "type": "object",
              "properties": {
                "file": {
                  "type": "string",
                  "contentMediaType": "application/octet-stream",
                  "description": "One file part named `file`; its declared type is checked against the content"
                }
              },
              "required": ["file"]
            }
          }
        }
      }
    },
    "responses": {
      "TooManyRequests": {
        "description": "Rate limited: `Too many requests` (§1.7)",
        "headers": {
          "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
          "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"},
          "Retry-After": {"$ref": "#/components/headers/Retry-After"}
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "PayloadTooLarge": {
        "$ref": "#/components/responses/Error",
        "description": "Body over the size limit (1 MiB; 12 MiB for uploads); `errorId` is present"
      },
      "Unauthorized": {
        "$ref": "#/components/responses/Error",
        "description": "Not signed in: `Unauthorized`, `Invalid or expired token`, `Invalid token type`, `Token revoked`"
      },
      "AdminRequired": {"$ref": "#/components/responses/Error", "description": "Not a site admin: `Admin access required`"},
      "Error": {
        "description": "An error: `{ok:false, error}`",
        "headers": {
          "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
          "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "OkLoginResult": {
        "description": "Signed in (sets the `agentim_rt` refresh cookie), or a TOTP challenge (no cookie)",
        "headers": {
          "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
          "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"},
          "Set-Cookie": {
            "description": "`agentim_rt=<refresh token>; HttpOnly; SameSite=Strict; Path=/api/auth; Max-Age=<seconds>` (Secure in production)",
            "schema": {"type": "string"}
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "type": "object",
              "properties": {"ok": {"const": true}, "data": {"$ref": "#/components/schemas/LoginResult"}},
              "required": ["ok", "data"]
            }
          }
        }
      },
      "OkOkEnvelope": {
        "description": "OK",
        "headers": {
          "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
          "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OkEnvelope"}}}
      },
      "OkMe": {
        "description": "OK",
        "headers": {
          "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
          "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
        },
        "content": {
          "application/json": {
            "schema": {
              "type": "object",
              "properties": {"ok": {"const": true}, "data": {"$ref": "#/components/schemas/Me"}},
              "required": ["ok", "data"]
            }
          }
        }
      },
      "CreatedRoom": {
        "description": "OK",
        "headers": {
          "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
          "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
        },
        "content": {
          "application/json": {
            "schema": {
              "type": "object",
              "properties": {"ok": {"const": true}, "data": {"$ref": "#/components/schemas/Room"}},
              "required": ["ok", "data"]
            }
          }
        }
      },
      "OkMessage": {
        "description": "OK",
        "headers": {
          "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
          "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
        },
        "content": {
          "application/json": {
            "schema": {
              "type": "object",
              "properties": {"ok": {"const": true}, "data": {"$ref": "#/components/schemas/Message"}},
              "required": ["ok", "data"]
            }
          }
        }
      },
      "OkAgentList": {
        "description": "OK",
        "headers": {
          "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
          "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
        },
        "content": {
          "application/json": {
            "schema": {
              "type": "object",
              "properties": {"ok": {"const": true}, "data": {"type": "array", "items": {"$ref": "#/components/schemas/Agent"}}},
              "required": ["ok", "data"]
            }
          }
        }
      },
      "OkAgent": {
        "description": "OK",
        "headers": {
          "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
          "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
        },
        "content": {
          "application/json": {
            "schema": {
              "type": "object",
              "properties": {"ok": {"const": true}, "data": {"$ref": "#/components/schemas/Agent"}},
              "required": ["ok", "data"]
            }
          }
        }
      },
      "OkTaskList": {
        "description": "OK",
        "headers": {
          "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
          "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
        },
        "content": {
          "application/json": {
            "schema": {
              "type": "object",
              "properties": {"ok": {"const": true}, "data": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}}},
              "required": ["ok", "data"]
            }
          }
        }
      },
      "CreatedTask": {
        "description": "OK",
        "headers": {
          "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
          "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
        },
        "content": {
          "application/json": {
            "schema": {
              "type": "object",
              "properties": {"ok": {"const": true}, "data": {"$ref": "#/components/schemas/Task"}},
              "required": ["ok", "data"]
            }
          }
        }
      },
      "CreatedRouter": {
        "description": "OK",
        "headers": {
          "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
          "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
        },
        "content": {
          "application/json": {
            "schema": {
              "type": "object",
              "properties": {"ok": {"const": true}, "data": {"$ref": "#/components/schemas/Router"}},
              "required": ["ok", "data"]
            }
          }
        }
      },
      "CreatedServiceAgent": {
        "description": "OK",
        "headers": {
          "X-RateLimit-Limit": {"$ref": "#/components/headers/X-RateLimit-Limit"},
          "X-RateLimit-Remaining": {"$ref": "#/components/headers/X-RateLimit-Remaining"}
        },
        "content": {
          "application/json": {
            "schema": {
              "type": "object",
              "properties": {"ok": {"const": true}, "data": {"$ref": "#/components/schemas/ServiceAgent"}},
              "required": ["ok", "data"]
            }
          }
        }
      },
      "UpgradeRequiredError": {
        "description": "Not a WebSocket upgrade: `Upgrade Required` (an upgrade gets 101 and authenticates with its first frame)",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      }
    },
    "schemas": {
      "OkEnvelope": {
        "type": "object",
        "properties": {"ok": {"const": true}},
        "required": ["ok"],
        "description": "`{ok:true}` with no data"
      },
      "Error": {
        "type": "object",
        "properties": {
          "ok": {"const": false},
          "error": {"type": "string", "description": "Human-readable error text (exact texts per operation)"},
          "fields": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
              "required": ["field", "message"]
            },
            "description": "Present with `Validation failed`: one entry per rejected field (`(root)` for the whole body)"
          },
          "errorId": {"type": "string", "description": "Present on 413 and on unhandled errors"},
          "data": {"description": "Present on a partly applied settings update (`{updated}`)"}
        },
        "required": ["ok", "error"],
        "description": "Every JSON error: `{ok:false, error}`"
      },
      "Health": {
        "type": "object",
        "properties": {
          "ok": {"type": "boolean"},
          "timestamp": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "checks": {
            "type": "object",
            "properties": {"database": {"type": "boolean"}, "redis": {"type": "boolean"}, "filesystem": {"type": "boolean"}},
            "additionalProperties": {"type": "boolean"}
          }
        },
        "required": ["ok", "timestamp", "checks"]
      },
      "LoginUser": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "21-character nanoid"},
          "username": {"type": "string"},
          "displayName": {"type": "string"},
          "avatarUrl": {"type": ["string", "null"]},
          "role": {"type": "string", "enum": ["admin", "user"]},
          "totpEnabled": {"type": "boolean"}
        },
        "required": ["id", "username", "displayName", "avatarUrl", "role", "totpEnabled"]
      },
      "LoginResult": {
        "oneOf": [
          {
            "type": "object",
            "properties": {
              "user": {"$ref": "#/components/schemas/LoginUser"},
              "accessToken": {"type": "string"},
              "refreshToken": {"type": "string"}
            },
            "required": ["user", "accessToken", "refreshToken"]
          },
          {
            "type": "object",
            "properties": {"totpRequired": {"const": true}, "totpToken": {"type": "string"}},
            "required": ["totpRequired", "totpToken"]
          }
        ]
      },
      "Me": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "21-character nanoid"},
          "username": {"type": "string"},
          "displayName": {"type": "string"},
          "avatarUrl": {"type": ["string", "null"]},
          "role": {"type": "string", "enum": ["admin", "user"]},
          "createdAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "updatedAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "totpEnabled": {"type": "boolean"}
        },
        "required": ["id", "username", "displayName", "avatarUrl", "role", "createdAt", "updatedAt"]
      },
      "UserSummary": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "21-character nanoid"},
          "username": {"type": "string"},
          "displayName": {"type": "string"},
          "avatarUrl": {"type": ["string", "null"]}
        },
        "required": ["id", "username", "displayName", "avatarUrl"]
      },
      "AdminUserRow": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "21-character nanoid"},
          "username": {"type": "string"},
          "displayName": {"type": "string"},
          "avatarUrl": {"type": ["string", "null"]},
          "role": {"type": "string", "enum": ["admin", "user"]},
          "maxWsConnections": {"type": ["integer", "null"]},
          "maxGateways": {"type": ["integer", "null"]},
          "createdAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "updatedAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"}
        },
        "required": [
          "id",
          "username",
          "displayName",
          "avatarUrl",
          "role",
          "maxWsConnections",
          "maxGateways",
          "createdAt",
          "updatedAt"
        ]
      },
      "CreatedUser": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "21-character nanoid"},
          "username": {"type": "string"},
          "displayName": {"type": "string"},
          "role": {"type": "string", "enum": ["admin", "user"]},
          "createdAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "updatedAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"}
        },
        "required": ["id", "username", "displayName", "role", "createdAt", "updatedAt"]
      },
      "UpdatedUser": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "21-character nanoid"},
          "username": {"type": "string"},
          "displayName": {"type": "string"},
          "role": {"type": "string", "enum": ["admin", "user"]},
          "maxWsConnections": {"type": ["integer", "null"]},
          "maxGateways": {"type": ["integer", "null"]},
          "createdAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "updatedAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"}
        },
        "required": ["id", "username", "displayName", "role", "maxWsConnections", "maxGateways", "createdAt", "updatedAt"]
      },
      "OAuthAccount": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "21-character nanoid"},
          "provider": {"type": "string"},
          "providerAccountId": {"type": "string"},
          "email": {"type": ["string", "null"]},
          "displayName": {"type": ["string", "null"]},
          "avatarUrl": {"type": ["string", "null"]},
          "createdAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "updatedAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"}
        },
        "required": ["id", "provider", "providerAccountId"]
      },
      "Room": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "21-character nanoid"},
          "name": {"type": "string"},
          "type": {"type": "string", "enum": ["private", "group"]},
          "broadcastMode": {"type": "boolean"},
          "systemPrompt": {"type": ["string", "null"]},
          "routerId": {"type": ["string", "null"]},
          "agentCommandRole": {"type": "string", "enum": ["member", "admin", "owner"]},
          "createdById": {"type": "string"},
          "createdAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "updatedAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"}
        },
        "required": [
          "id",
          "name",
          "type",
          "broadcastMode",
          "systemPrompt",
          "routerId",
          "agentCommandRole",
          "createdById",
          "createdAt",
          "updatedAt"
        ]
      },
      "RoomListItem": {
        "allOf": [
          {"$ref": "#/components/schemas/Room"},
          {
            "type": "object",
            "properties": {
              "pinnedAt": {"type": ["string", "null"], "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
              "archivedAt": {"type": ["string", "null"], "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"}
            },
            "required": ["pinnedAt", "archivedAt"]
          }
        ]
      },
      "RoomMemberRow": {
        "type": "object",
        "properties": {
          "roomId": {"type": "string"},
          "memberId": {"type": "string"},
          "memberType": {"type": "string", "enum": ["user", "agent"]},
          "role": {"type": "string", "enum": ["owner", "admin", "member"]},
          "roleDescription": {"type": ["string", "null"]},
          "notificationPref": {"type": "string", "enum": ["all", "mentions", "none"]},
          "pinnedAt": {"type": ["string", "null"], "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "archivedAt": {"type": ["string", "null"], "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "lastReadAt": {"type": ["string", "null"], "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "clearedAt": {"type": ["string", "null"], "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "joinedAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "displayName": {"type": "string"}
        },
        "required": ["roomId", "memberId", "memberType", "role"]
      },
      "RoomDetail": {
        "allOf": [
          {"$ref": "#/components/schemas/Room"},
          {
            "type": "object",
            "properties": {
              "members": {"type": "array", "items": {"$ref": "#/components/schemas/RoomMemberRow"}},
              "totalMembers": {"type": "integer", "minimum": 0}
            },
            "required": ["members", "totalMembers"]
          }
        ]
      },
      "Attachment": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "21-character nanoid"},
          "messageId": {"type": ["string", "null"]},
          "filename": {"type": "string"},
          "mimeType": {"type": "string"},
          "size": {"type": "integer", "minimum": 0},
          "url": {"type": "string"}
        },
        "required": ["id", "filename", "mimeType", "size", "url"]
      },
      "Reaction": {
        "type": "object",
        "properties": {
          "emoji": {"type": "string"},
          "userIds": {"type": "array", "items": {"type": "string"}},
          "usernames": {"type": "array", "items": {"type": "string"}}
        },
        "required": ["emoji", "userIds", "usernames"]
      },
      "Chunk": {
        "type": "object",
        "properties": {
          "type": {"type": "string", "enum": ["text", "thinking", "tool_use", "tool_result", "error", "workspace_status"]},
          "content": {"type": "string"},
          "metadata": {}
        },
        "required": ["type", "content"]
      },
      "Message": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "21-character nanoid"},
          "roomId": {"type": "string"},
          "senderId": {"type": "string"},
          "senderType": {"type": "string", "enum": ["user", "agent", "system"]},
          "senderName": {"type": "string"},
          "type": {"type": "string", "enum": ["text", "system", "agent_response", "terminal"]},
          "content": {"type": "string"},
          "replyToId": {"type": ["string", "null"]},
          "mentions": {"type": "array", "items": {"type": "string"}},
          "chunks": {"type": "array", "items": {"$ref": "#/components/schemas/Chunk"}},
          "createdAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "updatedAt": {"type": ["string", "null"], "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "attachments": {"type": "array", "items": {"$ref": "#/components/schemas/Attachment"}},
          "reactions": {"type": "array", "items": {"$ref": "#/components/schemas/Reaction"}}
        },
        "required": [
          "id",
          "roomId",
          "senderId",
          "senderType",
          "senderName",
          "type",
          "content",
          "replyToId",
          "mentions",
          "createdAt",
          "updatedAt"
        ]
      },
      "MessagePage": {
        "type": "object",
        "properties": {
          "items": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
          "nextCursor": {"type": "string"},
          "hasMore": {"type": "boolean"}
        },
        "required": ["items", "hasMore"]
      },
      "EditHistoryEntry": {
        "type": "object",
        "properties": {
          "id": {"type": "string"},
          "messageId": {"type": "string"},
          "previousContent": {"type": "string"},
          "editedAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"}
        },
        "required": ["id", "messageId", "previousContent", "editedAt"]
      },
      "RecentEntry": {
        "type": "object",
        "properties": {
          "content": {"type": "string"},
          "senderName": {"type": "string"},
          "createdAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "unread": {"type": "integer", "minimum": 0}
        },
        "required": ["content", "senderName", "createdAt", "unread"]
      },
      "SlashCommand": {
        "type": "object",
        "properties": {
          "name": {"type": "string"},
          "description": {"type": "string"},
          "usage": {"type": "string"},
          "source": {"type": "string", "enum": ["builtin", "skill"]}
        },
        "required": ["name"]
      },
      "DeviceInfo": {
        "type": "object",
        "properties": {
          "hostname": {"type": "string"},
          "platform": {"type": "string"},
          "arch": {"type": "string"},
          "nodeVersion": {"type": "string"}
        }
      },
      "Agent": {
        "type": "object",
        "properties": {
          "id": {"type": "string"},
          "name": {"type": "string"},
          "type": {"type": "string", "enum": ["claude-code", "codex", "gemini", "generic"]},
          "status": {"type": "string", "enum": ["online", "offline", "busy", "error"]},
          "visibility": {"type": "string", "enum": ["private", "all", "whitelist"]},
          "visibilityList": {"type": "array", "items": {"type": "string"}},
          "gatewayId": {"type": "string"},
          "workingDirectory": {"type": ["string", "null"]},
          "capabilities": {"type": "array", "items": {"type": "string"}},
          "connectionType": {"type": "string", "enum": ["cli", "api"]},
          "slashCommands": {"type": "array", "items": {"$ref": "#/components/schemas/SlashCommand"}},
          "mcpServers": {"type": "array", "items": {"type": "string"}},
          "model": {"type": "string"},
          "lastSeenAt": {"type": ["string", "null"], "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "createdAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "updatedAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "deviceInfo": {"$ref": "#/components/schemas/DeviceInfo"},
          "ownerName": {"type": "string"}
        },
        "required": [
          "id",
          "name",
          "type",
          "status",
          "visibility",
          "visibilityList",
          "gatewayId",
          "workingDirectory",
          "connectionType",
          "lastSeenAt",
          "createdAt",
          "updatedAt"
        ]
      },
      "GatewayRow": {
        "type": "object",
        "properties": {
          "id": {"type": "string"},
          "userId": {"type": "string"},
          "name": {"type": "string"},
          "hostname": {"type": ["string", "null"]},
          "platform": {"type": ["string", "null"]},
          "arch": {"type": ["string", "null"]},
          "nodeVersion": {"type": ["string", "null"]},
          "connectedAt": {"type": ["string", "null"], "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "disconnectedAt": {"type": ["string", "null"], "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "ephemeral": {"type": "boolean"},
          "createdAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "deviceInfo": {"$ref": "#/components/schemas/DeviceInfo"}
        },
        "required": ["id", "userId", "name", "disconnectedAt", "ephemeral", "createdAt"]
      },
      "Task": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "21-character nanoid"},
          "roomId": {"type": "string"},
          "title": {"type": "string"},
          "description": {"type": "string"},
          "status": {"type": "string", "enum": ["pending", "in_progress", "completed", "failed", "cancelled"]},
          "result": {"type": ["string", "null"]},
          "dueDate": {"type": ["string", "null"], "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "assigneeId": {"type": ["string", "null"]},
          "assigneeType": {"type": ["string", "null"], "enum": ["user", "agent", null]},
          "createdById": {"type": "string"},
          "createdAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "updatedAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"}
        },
        "required": [
          "id",
          "roomId",
          "title",
          "description",
          "status",
          "result",
          "dueDate",
          "assigneeId",
          "assigneeType",
          "createdById",
          "createdAt",
          "updatedAt"
        ]
      },
      "Router": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "21-character nanoid"},
          "name": {"type": "string"},
          "description": {"type": ["string", "null"]},
          "scope": {"type": "string", "enum": ["global", "personal"]},
          "createdById": {"type": "string"},
          "llmBaseUrl": {"type": "string"},
          "llmApiKey": {"type": "string", "description": "Masked: `••••` plus the last 2 characters of keys longer than 8"},
          "llmModel": {"type": "string"},
          "maxChainDepth": {"type": "integer"},
          "rateLimitWindow": {"type": "integer"},
          "rateLimitMax": {"type": "integer"},
          "visibility": {"type": "string", "enum": ["all", "whitelist", "blacklist"]},
          "visibilityList": {"type": "array", "items": {"type": "string"}},
          "createdAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "updatedAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"}
        },
        "required": [
          "id",
          "name",
          "description",
          "scope",
          "createdById",
          "llmBaseUrl",
          "llmApiKey",
          "llmModel",
          "maxChainDepth",
          "rateLimitWindow",
          "rateLimitMax",
          "visibility",
          "visibilityList",
          "createdAt",
          "updatedAt"
        ]
      },
      "ServiceAgent": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "21-character nanoid"},
          "name": {"type": "string"},
          "type": {
            "type": "string",
            "enum": [
              "openai-chat",
              "perplexity",
              "openai-image",
              "elevenlabs",
              "runway",
              "stability-audio",
              "meshy",
              "custom"
            ]
          },
          "category": {"type": "string", "enum": ["chat", "search", "image", "audio", "video", "music", "3d"]},
          "description": {"type": ["string", "null"]},
          "status": {"type": "string", "enum": ["active", "inactive", "error"]},
          "avatarUrl": {"type": ["string", "null"]},
          "createdById": {"type": "string"},
          "createdAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "updatedAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"}
        },
        "required": [
          "id",
          "name",
          "type",
          "category",
          "description",
          "status",
          "avatarUrl",
          "createdById",
          "createdAt",
          "updatedAt"
        ]
      },
      "ServiceAgentProvider": {
        "type": "object",
        "properties": {
          "type": {"type": "string"},
          "displayName": {"type": "string"},
          "category": {"type": "string"},
          "description": {"type": "string"},
          "configSchema": {"type": "object"}
        },
        "required": ["type", "displayName", "category", "description", "configSchema"]
      },
      "BookmarkItem": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "21-character nanoid"},
          "userId": {"type": "string"},
          "messageId": {"type": "string"},
          "note": {"type": "string"},
          "createdAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"},
          "message": {
            "type": "object",
            "properties": {
              "roomId": {"type": "string"},
              "senderName": {"type": "string"},
              "content": {"type": "string"},
              "createdAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"}
            },
            "required": ["roomId", "senderName", "content", "createdAt"]
          }
        },
        "required": ["id", "userId", "messageId", "note", "createdAt", "message"]
      },
      "Bookmark": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "21-character nanoid"},
          "userId": {"type": "string"},
          "messageId": {"type": "string"},
          "note": {"type": "string"},
          "createdAt": {"type": "string", "description": "Timestamp (ISO 8601 UTC, e.g. 2025-01-15T10:30:00.123Z)"}
        },
        "required": ["id", "userId", "messageId", "note", "createdAt"]
      },
      "SettingItem": {
        "type": "object",
        "properties": {
          "key": {"type": "string"},
          "value": {"type": "string"},
          "type": {"type": "string", "enum": ["string", "number", "boolean", "enum"]},
          "sensitive": {"type": "boolean"},
          "enumValues": {"type": "array", "items": {"type": "string"}},
          "min": {"type": "number"},
          "max": {"type": "number"},
          "labelKey": {"type": "string"},
          "descKey": {"type": "string"},
          "source": {"type": "string", "enum": ["db", "env", "default"]}
        },
        "required": ["key", "value", "type", "sensitive", "labelKey", "descKey", "source"]
      },
      "Upload": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "21-character nanoid"},
          "filename": {"type": "string"},
          "mimeType": {"type": "string"},
          "size": {"type": "integer", "minimum": 0},
          "url": {"type": "string"}
        },
        "required": ["id", "filename", "mimeType", "size", "url"]
      },
      "AgentResponse": {
        "type": "object",
        "properties": {},
        "additionalProperties": {
          "type": "object",
          "properties": {
            "buckets": {"type": "array", "items": {"type": "number"}},
            "counts": {"type": "array", "items": {"type": "integer"}},
            "sum": {"type": "number"},
            "count": {"type": "integer"},
            "avg": {"type": "number"},
            "p50": {"type": "number"},
            "p95": {"type": "number"},
            "p99": {"type": "number"}
          },
          "required": ["buckets", "counts", "sum", "count", "avg", "p50", "p95", "p99"]
        }
      },
      "DisplayName": {
        "type": "string",
        "minLength": 1,
        "maxLength": 100,
        "description": "1-100 characters, not only whitespace; HTML removed"
      },
      "NewPassword": {
        "type": "string",
        "minLength": 8,
        "maxLength": 128,
        "description": "8-128 characters with at least one lowercase letter, one uppercase letter and one digit"
      },
      "Name": {"type": "string", "minLength": 1, "maxLength": 100, "description": "1-100 characters, not only whitespace"},
      "Title": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "description": "1-200 characters, not only whitespace; HTML removed"
      },
      "LlmBaseUrl": {
        "type": "string",
        "maxLength": 500,
        "pattern": "^https?://",
        "description": "http(s) URL, not to an internal or private network"
      }
    }
  }
}
"""##
}
