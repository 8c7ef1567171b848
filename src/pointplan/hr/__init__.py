"""Human resources' duties over the registrations, plans and events pointplan holds: who
coordinates which flow (`flows`)."""
