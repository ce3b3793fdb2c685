"""Accounts: users and roles, passwords, the TOTP second factor, login throttling."""

from hotline.accounts.demo import create_demo_users

__all__ = ["create_demo_users"]
