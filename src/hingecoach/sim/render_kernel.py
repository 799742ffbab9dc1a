"""Numba ray-marching kernel: signed distance fields of the body over a floor and a wall.

Why this shape: the body is a few dozen primitives, but any one pixel sees only a handful.
The image is cut into tiles; each tile keeps only the primitives whose projected bounding
sphere overlaps it, and each ray marches only inside the union of those bounding spheres.
Floor and wall are planes hit analytically. Light: a directional key light with a soft
shadow, a hemisphere ambient term, a weak fill from the camera, and ambient occlusion on
the body, which is enough shading for BlazePose to read limbs in front of the trunk.

Primitive rows are laid out by :mod:`hingecoach.sim.render_scene`; rows of one group are
contiguous, which lets the distance function blend a group without a per-group buffer.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

_BLEND_K = np.array([0.05, 0.012, 0.02, 0.02, 0.03, 0.03])  # per group, metres
_GROUP_K = 0.01  # between groups
_MAX_STEPS = 80
_HIT_EPS = 4e-4


@njit(cache=True, fastmath=True, inline="always")
def _smin(a, b, k):
    h = max(k - abs(a - b), 0.0) / k
    return min(a, b) - h * h * k * 0.25


@njit(cache=True, fastmath=True)
def _prim_dist(prims, i, px, py, pz):
    """Distance from a point to primitive i (a bound, not exact, for tapered capsules and ellipsoids)."""
    if prims[i, 0] == 0.0:
        ax, ay, az = prims[i, 1], prims[i, 2], prims[i, 3]
        bax, bay, baz = prims[i, 4] - ax, prims[i, 5] - ay, prims[i, 6] - az
        pax, pay, paz = px - ax, py - ay, pz - az
        bb = bax * bax + bay * bay + baz * baz
        h = 0.0
        if bb > 1e-12:
            h = min(max((pax * bax + pay * bay + paz * baz) / bb, 0.0), 1.0)
        dx, dy, dz = pax - bax * h, pay - bay * h, paz - baz * h
        return math.sqrt(dx * dx + dy * dy + dz * dz) - (prims[i, 7] + (prims[i, 8] - prims[i, 7]) * h)
    rx, ry, rz = px - prims[i, 1], py - prims[i, 2], pz - prims[i, 3]
    qx = (prims[i, 14] * rx + prims[i, 15] * ry + prims[i, 16] * rz) / prims[i, 11]
    qy = (prims[i, 17] * rx + prims[i, 18] * ry + prims[i, 19] * rz) / prims[i, 12]
    qz = (prims[i, 20] * rx + prims[i, 21] * ry + prims[i, 22] * rz) / prims[i, 13]
    k0 = math.sqrt(qx * qx + qy * qy + qz * qz)
    k1 = math.sqrt((qx / prims[i, 11]) ** 2 + (qy / prims[i, 12]) ** 2 + (qz / prims[i, 13]) ** 2)
    if k1 < 1e-9:
        return -min(prims[i, 11], min(prims[i, 12], prims[i, 13]))
    return k0 * (k0 - 1.0) / k1


@njit(cache=True, fastmath=True)
def _scene(prims, cand, n_cand, blend_k, px, py, pz):
    """Blended distance over the candidate primitives, and the material of the nearest one."""
    total = 1e9
    group_d = 1e9
    group = -1
    best_raw = 1e9
    mat = 0
    for c in range(n_cand):
        i = cand[c]
        d = _prim_dist(prims, i, px, py, pz)
        if d < best_raw:
            best_raw = d
            mat = int(prims[i, 10])
        g = int(prims[i, 9])
        if g != group:
            if group >= 0:
                total = _smin(total, group_d, _GROUP_K)
            group = g
            group_d = d
        else:
            group_d = _smin(group_d, d, blend_k[g])
    if group >= 0:
        total = _smin(total, group_d, _GROUP_K)
    return total, mat


@njit(cache=True, fastmath=True)
def _ray_sphere(ox, oy, oz, dx, dy, dz, cx, cy, cz, r):
    """Entry and exit distances of a ray through a sphere; (1, 0) when it misses."""
    lx, ly, lz = ox - cx, oy - cy, oz - cz
    b = lx * dx + ly * dy + lz * dz
    c = lx * lx + ly * ly + lz * lz - r * r
    disc = b * b - c
    if disc < 0.0:
        return 1.0, 0.0
    s = math.sqrt(disc)
    return -b - s, -b + s


@njit(cache=True, fastmath=True)
def _soft_shadow(prims, bounds, buf, blend_k, ox, oy, oz, lx, ly, lz):
    """Penumbra factor in [0, 1] towards the key light (1 = fully lit).

    ``bounds`` row n (one past the primitives) is a sphere around the whole body: most floor
    and wall rays miss it and skip the per-primitive tests.
    """
    m = prims.shape[0]
    t0, t1 = _ray_sphere(ox, oy, oz, lx, ly, lz, bounds[m, 0], bounds[m, 1], bounds[m, 2], bounds[m, 3])
    if t1 <= 0.0 or t0 > t1:
        return 1.0
    n = 0
    t_end = 0.0
    for i in range(prims.shape[0]):
        t0, t1 = _ray_sphere(ox, oy, oz, lx, ly, lz, bounds[i, 0], bounds[i, 1], bounds[i, 2], bounds[i, 3])
        if t1 > 0.0 and t0 <= t1:
            buf[n] = i
            n += 1
            t_end = max(t_end, t1)
    if n == 0:
        return 1.0
    res = 1.0
    t = 0.02
    for _ in range(40):
        if t > t_end:
            break
        d, _m = _scene(prims, buf, n, blend_k, ox + lx * t, oy + ly * t, oz + lz * t)
        res = min(res, 10.0 * d / t)
        if res < 0.02:
            return 0.0
        t += min(max(d, 0.01), 0.2)
    return max(res, 0.0)


@njit(cache=True, fastmath=True)
def _bounds(prims, blend_k):
    n = prims.shape[0]
    out = np.empty((n + 1, 4))
    for i in range(n):
        if prims[i, 0] == 0.0:
            ax, ay, az = prims[i, 1], prims[i, 2], prims[i, 3]
            bx, by, bz = prims[i, 4], prims[i, 5], prims[i, 6]
            half = 0.5 * math.sqrt((bx - ax) ** 2 + (by - ay) ** 2 + (bz - az) ** 2)
            out[i, 0], out[i, 1], out[i, 2] = 0.5 * (ax + bx), 0.5 * (ay + by), 0.5 * (az + bz)
            out[i, 3] = half + max(prims[i, 7], prims[i, 8])
        else:
            out[i, 0], out[i, 1], out[i, 2] = prims[i, 1], prims[i, 2], prims[i, 3]
            out[i, 3] = max(prims[i, 11], max(prims[i, 12], prims[i, 13]))
        out[i, 3] += blend_k[int(prims[i, 9])] * 0.5 + _GROUP_K
    lo = np.full(3, 1e9)
    hi = np.full(3, -1e9)
    for i in range(n):
        for c in range(3):
            lo[c] = min(lo[c], out[i, c] - out[i, 3])
            hi[c] = max(hi[c], out[i, c] + out[i, 3])
    r = 0.0
    for c in range(3):
        out[n, c] = 0.5 * (lo[c] + hi[c])
    for i in range(n):
        dist = math.sqrt((out[i, 0] - out[n, 0]) ** 2 + (out[i, 1] - out[n, 1]) ** 2 + (out[i, 2] - out[n, 2]) ** 2)
        r = max(r, dist + out[i, 3])
    out[n, 3] = r
    return out


@njit(cache=True, fastmath=True)
def _screen_circles(bounds, cam, width, height):
    """Projected bounding circles (u, v, r px); r < 0 means 'covers everything' (too near)."""
    n = bounds.shape[0]
    out = np.empty((n, 3))
    f, cx, cy = cam[12], cam[13], cam[14]
    for i in range(n):
        rx, ry, rz = bounds[i, 0] - cam[0], bounds[i, 1] - cam[1], bounds[i, 2] - cam[2]
        x = rx * cam[3] + ry * cam[4] + rz * cam[5]
        y = rx * cam[6] + ry * cam[7] + rz * cam[8]
        z = rx * cam[9] + ry * cam[10] + rz * cam[11]
        r = bounds[i, 3]
        if z - r < 0.05:
            out[i, 0], out[i, 1], out[i, 2] = 0.0, 0.0, -1.0
            continue
        out[i, 0] = cx + f * x / z
        out[i, 1] = cy - f * y / z
        out[i, 2] = f * r / (z - r) + 1.0
    return out


@njit(cache=True, fastmath=True)
def _shade_background(px, py, pz, is_floor, prims, bounds, sbuf, blend_k, light, sun, amb):
    if is_floor:
        check = (math.floor(px * 2.0) + math.floor(pz * 2.0)) % 2.0
        plank = 0.94 + 0.06 * check
        alb_r, alb_g, alb_b = 0.46 * plank, 0.34 * plank, 0.24 * plank
        ndl = light[1]
        sky = 1.0
    else:
        alb_r, alb_g, alb_b = 0.70, 0.70, 0.66
        ndl = 0.35
        sky = 0.8
    sh = _soft_shadow(prims, bounds, sbuf, blend_k, px, py + 1e-3, pz, light[0], light[1], light[2])
    k = max(ndl, 0.0) * sh
    r = alb_r * (sun[0] * k + amb[0] * sky)
    g = alb_g * (sun[1] * k + amb[1] * sky)
    b = alb_b * (sun[2] * k + amb[2] * sky)
    return r, g, b


@njit(cache=True, fastmath=True)
def _shade_body(prims, cand, n_cand, bounds, sbuf, blend_k, pal, px, py, pz, dx, dy, dz, mat, light, sun, amb):
    e = 5e-4
    d1, _m = _scene(prims, cand, n_cand, blend_k, px + e, py - e, pz - e)
    d2, _m = _scene(prims, cand, n_cand, blend_k, px - e, py - e, pz + e)
    d3, _m = _scene(prims, cand, n_cand, blend_k, px - e, py + e, pz - e)
    d4, _m = _scene(prims, cand, n_cand, blend_k, px + e, py + e, pz + e)
    nx, ny, nz = d1 - d2 - d3 + d4, -d1 - d2 + d3 + d4, -d1 + d2 - d3 + d4
    nl = math.sqrt(nx * nx + ny * ny + nz * nz) + 1e-12
    nx, ny, nz = nx / nl, ny / nl, nz / nl
    ao = 1.0
    for s in range(1, 4):
        h = 0.03 * s
        dd, _m = _scene(prims, cand, n_cand, blend_k, px + nx * h, py + ny * h, pz + nz * h)
        ao -= (h - dd) * (1.2 / s)
    ao = min(max(ao, 0.25), 1.0)
    ndl = nx * light[0] + ny * light[1] + nz * light[2]
    sh = 0.0
    if ndl > 0.0:
        sh = _soft_shadow(prims, bounds, sbuf, blend_k, px + nx * 2e-3, py + ny * 2e-3, pz + nz * 2e-3,
                          light[0], light[1], light[2])
    key = max(ndl, 0.0) * sh
    hemi = 0.6 + 0.4 * ny
    fill = max(-(nx * dx + ny * dy + nz * dz), 0.0) * 0.35
    rim = (1.0 - max(-(nx * dx + ny * dy + nz * dz), 0.0)) ** 3 * 0.15
    r = pal[mat, 0] * (sun[0] * key + (amb[0] * hemi + fill) * ao + rim)
    g = pal[mat, 1] * (sun[1] * key + (amb[1] * hemi + fill) * ao + rim)
    b = pal[mat, 2] * (sun[2] * key + (amb[2] * hemi + fill) * ao + rim)
    return r, g, b


@njit(cache=True, fastmath=True)
def _tile_candidates(circles, tx0, ty0, tx1, ty1, cand):
    """Primitives whose projected bounding circle touches the tile; returns their count."""
    n_cand = 0
    for i in range(circles.shape[0]):
        r = circles[i, 2]
        if r < 0.0 or (circles[i, 0] + r >= tx0 and circles[i, 0] - r <= tx1
                       and circles[i, 1] + r >= ty0 and circles[i, 1] - r <= ty1):
            cand[n_cand] = i
            n_cand += 1
    return n_cand


@njit(cache=True, fastmath=True)
def _background_hit(ox, oy, oz, dx, dy, dz, wall):
    """Distance to the nearest of floor (y=0) and wall along the ray, and whether it is the floor."""
    t_bg = 1e9
    is_floor = False
    if dy < -1e-6:
        t_bg = -oy / dy
        is_floor = True
    dn = dx * wall[0] + dy * wall[1] + dz * wall[2]
    if abs(dn) > 1e-6:
        tw = (wall[3] - (ox * wall[0] + oy * wall[1] + oz * wall[2])) / dn
        if 0.0 < tw < t_bg:
            t_bg = tw
            is_floor = False
    return t_bg, is_floor


@njit(cache=True, fastmath=True)
def _march(prims, bounds, cand, n_cand, ray, blend_k, ox, oy, oz, dx, dy, dz, t_max):
    """Sphere-trace the body inside the candidates' bounding spheres, nearer than ``t_max``.

    Fills ``ray`` with the candidates this ray passes through; returns (hit, t, material, n_ray).
    """
    n_ray = 0
    t0, t1 = 1e9, -1.0
    for c in range(n_cand):
        i = cand[c]
        a, b = _ray_sphere(ox, oy, oz, dx, dy, dz, bounds[i, 0], bounds[i, 1], bounds[i, 2], bounds[i, 3])
        if a <= b and b > 0.0:
            t0 = min(t0, max(a, 0.0))
            t1 = max(t1, b)
            ray[n_ray] = i
            n_ray += 1
    t1 = min(t1, t_max)
    t = t0
    for _ in range(_MAX_STEPS):
        if t > t1:
            break
        d, mat = _scene(prims, ray, n_ray, blend_k, ox + dx * t, oy + dy * t, oz + dz * t)
        if d < _HIT_EPS * t:
            return True, t, mat, n_ray
        t += d * 0.92
    return False, t, 0, n_ray


@njit(cache=True, fastmath=True, parallel=True)
def render_kernel(prims, pal, cam, light, wall, width, height, tile):
    """Linear-RGB image (height, width, 3) float32. ``wall`` = (nx, ny, nz, offset): n.p = offset."""
    blend_k = _BLEND_K
    sun = np.array([2.1, 2.0, 1.85])
    amb = np.array([0.42, 0.45, 0.52])
    n = prims.shape[0]
    bounds = _bounds(prims, blend_k)
    circles = _screen_circles(bounds[:n], cam, width, height)
    img = np.empty((height, width, 3), dtype=np.float32)
    ntx = (width + tile - 1) // tile
    nty = (height + tile - 1) // tile
    ox, oy, oz = cam[0], cam[1], cam[2]
    for ti in prange(ntx * nty):
        tx0 = (ti % ntx) * tile
        ty0 = (ti // ntx) * tile
        tx1 = min(tx0 + tile, width)
        ty1 = min(ty0 + tile, height)
        cand = np.empty(n, dtype=np.int64)
        sbuf = np.empty(n, dtype=np.int64)
        ray = np.empty(n, dtype=np.int64)
        n_cand = _tile_candidates(circles, tx0, ty0, tx1, ty1, cand)
        for y in range(ty0, ty1):
            for x in range(tx0, tx1):
                u = x + 0.5 - cam[13]
                v = cam[14] - (y + 0.5)
                dx = cam[9] * cam[12] + cam[3] * u + cam[6] * v
                dy = cam[10] * cam[12] + cam[4] * u + cam[7] * v
                dz = cam[11] * cam[12] + cam[5] * u + cam[8] * v
                dl = math.sqrt(dx * dx + dy * dy + dz * dz)
                dx, dy, dz = dx / dl, dy / dl, dz / dl
                t_bg, is_floor = _background_hit(ox, oy, oz, dx, dy, dz, wall)
                hit, t, mat, n_ray = _march(prims, bounds, cand, n_cand, ray, blend_k, ox, oy, oz, dx, dy, dz, t_bg)
                if hit:
                    r, g, b = _shade_body(prims, ray, n_ray, bounds, sbuf, blend_k, pal, ox + dx * t,
                                          oy + dy * t, oz + dz * t, dx, dy, dz, mat, light, sun, amb)
                elif t_bg < 1e8:
                    r, g, b = _shade_background(ox + dx * t_bg, oy + dy * t_bg, oz + dz * t_bg, is_floor, prims,
                                                bounds, sbuf, blend_k, light, sun, amb)
                else:
                    r, g, b = 0.5, 0.55, 0.6
                img[y, x, 0] = r
                img[y, x, 1] = g
                img[y, x, 2] = b
    return img
