-- The signed-in user as every request needs it: the account with its roles, by
-- organ name. The session store reads it together with the session, so that a
-- request costs one statement before its page's own.
CREATE VIEW session_users AS
SELECT u.id, u.username, u.display_name, u.organ_id, u.is_admin, u.active, u.session_epoch,
       coalesce(array_agg(r.organ_id ORDER BY o.name, r.role) FILTER (WHERE r.role IS NOT NULL), '{}') AS role_organs,
       coalesce(array_agg(o.name ORDER BY o.name, r.role) FILTER (WHERE r.role IS NOT NULL), '{}') AS role_organ_names,
       coalesce(array_agg(r.role ORDER BY o.name, r.role) FILTER (WHERE r.role IS NOT NULL), '{}') AS roles
FROM users u
LEFT JOIN user_roles r ON r.user_id = u.id
LEFT JOIN organs o ON o.id = r.organ_id
GROUP BY u.id;
