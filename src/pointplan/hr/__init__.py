"""Human resources' duties over the registrations, plans and events pointplan holds: who
coordinates which flow (`flows`), job matching for returnees (`matching`) and the return-home
services ledger (`ledger`)."""
