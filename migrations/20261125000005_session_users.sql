-- The signed-in user as every request needs it: the account with its roles, by
-- organ name. The session store reads it together with the session, so that a
-- request costs one statement before its page's own. (The roles are gathered per
-- user in a LATERAL rather than by grouping the view, so that a lookup of one user
-- stays one user's work under any plan.)
CREATE VIEW session_users AS
SELECT u.id, u.username, u.display_name, u.organ_id, u.is_admin, u.active, u.session_epoch,
       coalesce(held.organs, '{}') AS role_organs,
       coalesce(held.organ_names, '{}') AS role_organ_names,
       coalesce(held.roles, '{}') AS roles
FROM users u
LEFT JOIN LATERAL (
    SELECT array_agg(r.organ_id ORDER BY o.name, r.role) AS organs,
           array_agg(o.name ORDER BY o.name, r.role) AS organ_names,
           array_agg(r.role ORDER BY o.name, r.role) AS roles
    FROM user_roles r JOIN organs o ON o.id = r.organ_id
    WHERE r.user_id = u.id
) held ON true;
