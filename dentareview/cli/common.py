"""Options shared by the CLI commands: flags override the environment."""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer
from pydantic import SecretStr

from dentareview.chain.client import chain_id_or_none, make_web3
from dentareview.chain.key_safety import check_keys
from dentareview.config import Settings
from dentareview.errors import UnsafeKeys
from dentareview.redaction import scrub

RpcUrlOption = Annotated[
    str | None,
    typer.Option(
        "--rpc-url",
        help="JSON-RPC URL of the node (env DENTAREVIEW_RPC_URL; default http://127.0.0.1:8545)",
        show_default=False,
    ),
]
PrivateKeyOption = Annotated[
    str | None,
    typer.Option(
        "--private-key",
        help=(
            "Operator (relayer) private key (env DENTAREVIEW_OPERATOR_KEY, preferred: argv "
            "is visible to other users); also the admin's unless an admin key is set. "
            "Default: Anvil's well-known development key, account 0 "
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 - public, refused outside a local "
            "chain (31337, 1337)."
        ),
        show_default=False,
    ),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where manifests and the SQLite file live (env DENTAREVIEW_DATA_DIR; "
        "default ./.dentareview)",
        show_default=False,
    ),
]
DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy database URL (env DENTAREVIEW_DATABASE_URL; default: SQLite file "
        "in the data dir)",
        show_default=False,
    ),
]

AdminKeyEnvOption = Annotated[
    str | None,
    typer.Option(
        "--admin-key-env",
        metavar="NAME",
        help="Read the admin's private key from environment variable NAME "
        "(or set DENTAREVIEW_ADMIN_KEY)",
        show_default=False,
    ),
]
AdminKeystoreOption = Annotated[
    Path | None,
    typer.Option(
        "--admin-keystore",
        help="The admin's encrypted JSON keystore (env DENTAREVIEW_ADMIN_KEYSTORE); "
        "its password from --admin-password-env",
        show_default=False,
    ),
]
AdminPasswordEnvOption = Annotated[
    str | None,
    typer.Option(
        "--admin-password-env",
        metavar="NAME",
        help="Environment variable holding the admin keystore's password "
        "(or set DENTAREVIEW_ADMIN_KEYSTORE_PASSWORD)",
        show_default=False,
    ),
]
AllowDevKeysOption = Annotated[
    bool,
    typer.Option(
        "--allow-dev-keys",
        help="Accept Anvil's public development keys on a non-local chain (a throwaway "
        "test network only; env DENTAREVIEW_ALLOW_DEV_KEYS)",
    ),
]


def _from_env(name: str, what: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise fail(f"environment variable {name} ({what}) is not set")
    return value


def admin_overrides(
    *, key_env: str | None, keystore: Path | None, password_env: str | None
) -> dict[str, Any]:
    """Settings for the admin key named on the command line; secrets only from the environment."""
    overrides: dict[str, Any] = {}
    if key_env is not None:
        overrides["admin_key"] = SecretStr(_from_env(key_env, "the admin key"))
    if keystore is not None:
        overrides["admin_keystore"] = keystore
    if password_env is not None:
        overrides["admin_keystore_password"] = SecretStr(
            _from_env(password_env, "the admin keystore password")
        )
    return overrides


def load_settings(
    *,
    rpc_url: str | None = None,
    private_key: str | None = None,
    data_dir: Path | None = None,
    database_url: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Settings:
    overrides: dict[str, Any] = dict(extra or {})
    if rpc_url is not None:
        overrides["rpc_url"] = rpc_url
    if private_key is not None:
        overrides["operator_key"] = SecretStr(private_key)
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    return Settings(**overrides)


SharedOption = Literal["rpc", "key", "data_dir", "database", "admin", "dev_keys"]
Command = TypeVar("Command", bound=Callable[..., Any])

# Each shared option: its parameter name, its declaration above, its default.
_SHARED: dict[SharedOption, tuple[tuple[str, Any, Any], ...]] = {
    "rpc": (("rpc_url", RpcUrlOption, None),),
    "key": (("private_key", PrivateKeyOption, None),),
    "data_dir": (("data_dir", DataDirOption, None),),
    "database": (("database_url", DatabaseUrlOption, None),),
    "admin": (
        ("admin_key_env", AdminKeyEnvOption, None),
        ("admin_keystore", AdminKeystoreOption, None),
        ("admin_password_env", AdminPasswordEnvOption, None),
    ),
    "dev_keys": (("allow_dev_keys", AllowDevKeysOption, False),),
}


def with_settings(*options: SharedOption) -> Callable[[Command], Command]:
    """Add the shared options named to a command and hand it the Settings they make.

    The command declares a `settings: Settings` parameter instead of the options: they
    are declared once, here, and read into Settings once (flags over the environment).
    """

    def decorate(command: Command) -> Command:
        own = inspect.signature(command, eval_str=True)
        added = [
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind
            )
            for option in options
            for name, kind, default in _SHARED[option]
        ]
        kept = [param for param in own.parameters.values() if param.name != "settings"]

        @functools.wraps(command)
        def run(**values: Any) -> Any:
            shared = {param.name: values.pop(param.name) for param in added}
            return command(**values, settings=_settings_from(shared))

        signature = own.replace(parameters=[*kept, *added])
        run.__signature__ = signature  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in signature.parameters.values()}
        return run  # type: ignore[return-value]

    return decorate


def _settings_from(shared: dict[str, Any]) -> Settings:
    extra = (
        admin_overrides(
            key_env=shared["admin_key_env"],
            keystore=shared["admin_keystore"],
            password_env=shared["admin_password_env"],
        )
        if "admin_key_env" in shared
        else {}
    )
    if shared.get("allow_dev_keys"):
        extra["allow_dev_keys"] = True
    return load_settings(
        rpc_url=shared.get("rpc_url"),
        private_key=shared.get("private_key"),
        data_dir=shared.get("data_dir"),
        database_url=shared.get("database_url"),
        extra=extra,
    )


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"error: {scrub(message)}", fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def refuse_unsafe_operator_key(settings: Settings) -> None:
    """Stop a service command signing with a public development key outside a local
    chain; warn loudly when forced. Checked again before every signing pass."""
    chain_id = chain_id_or_none(
        make_web3(settings.rpc_url, timeout_seconds=settings.rpc_timeout_seconds)
    )
    if chain_id is None:
        return  # the chain is away: the service checks once it answers
    try:
        warnings = check_keys(
            chain_id,
            keys={"operator": settings.operator_key.get_secret_value()},
            allow_dev_keys=settings.allow_dev_keys,
        )
    except UnsafeKeys as refused:
        raise fail(str(refused)) from None
    for warning in warnings:
        typer.secho(warning, fg=typer.colors.RED, bold=True, err=True)
