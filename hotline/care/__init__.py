"""Follow-up care (issue 16): counseling sessions booked from a call, referrals followed to
their end, and the student cases of school lines. One package, because the three share their
scope (a line), their codes and their audit, and a case ties bookings and referrals together."""
